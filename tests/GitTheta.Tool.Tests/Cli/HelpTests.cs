using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary><c>git theta help</c>, <c>-h</c> on every command, and the man pages <c>git theta --help</c> opens after install.</summary>
public sealed partial class HelpTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Help_lists_every_command_and_links_the_reference()
    {
        var help = sandbox.Theta(sandbox.Root, "help");

        Assert.Equal(0, help.ExitCode);
        Assert.Equal(string.Empty, help.Error);
        Assert.True(ToolCommands.Names.Count >= 20, $"only {ToolCommands.Names.Count} commands parsed from -h");
        Assert.All(new[] { "install", "env", "ls-files", "completion", "help", "fetch" }, name => Assert.Contains(name, ToolCommands.Names));
        Assert.Contains("Reference: https://", help.Output);
    }

    [Theory]
    [MemberData(nameof(ToolCommands.All), MemberType = typeof(ToolCommands))]
    public void Every_command_answers_h_and_help_with_its_name_and_options(string name)
    {
        var dashH = sandbox.Theta(sandbox.Root, name, "-h");
        var help = sandbox.Theta(sandbox.Root, "help", name);
        var man = sandbox.Theta(sandbox.Root, "help", name, "--man");

        Assert.Equal(0, dashH.ExitCode);
        Assert.Equal(0, help.ExitCode);
        Assert.Equal(0, man.ExitCode);
        Assert.Contains($"git-theta {name}", dashH.Output);
        Assert.StartsWith(dashH.Output.TrimEnd(), help.Output, StringComparison.Ordinal);
        Assert.EndsWith($"docs/commands.md#{name}", help.Output.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains($".B git theta {name.Replace("-", "\\-", StringComparison.Ordinal)}", man.Output);
        foreach (var option in Options(dashH.Output))
        {
            Assert.Contains(Roff(option), man.Output);
        }
    }

    [Fact]
    public void An_unknown_command_is_one_GT2010_line_with_exit_2()
    {
        var unknown = sandbox.Theta(sandbox.Root, "frobnicate");
        var unknownHelp = sandbox.Theta(sandbox.Root, "help", "frobnicate");
        var badOption = sandbox.Theta(sandbox.Root, "ls-files", "--frobnicate");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Matches("^git-theta: error GT2010: [^\n]*'frobnicate'[^\n]*\n$", unknown.Error);
        Assert.Equal(2, unknownHelp.ExitCode);
        Assert.Matches("^git-theta: error GT2010: [^\n]*'frobnicate'[^\n]*\n$", unknownHelp.Error);
        Assert.Equal(2, badOption.ExitCode);
        Assert.Matches("^git-theta: error GT2010: [^\n]*--frobnicate[^\n]*'git theta help ls-files'[^\n]*\n$", badOption.Error);
        Assert.Equal(string.Empty, unknown.Output + unknownHelp.Output + badOption.Output);
    }

    [Fact]
    public void After_a_repository_install_git_theta_help_opens_the_man_page()
    {
        Sandbox.RequireGitLfs();
        var repo = sandbox.InitRepository();
        repo.ThetaOk("install");
        var man1 = Path.Combine(sandbox.Home, ".local", "share", "man", "man1");

        Assert.True(File.Exists(Path.Combine(man1, "git-theta.1")), "git-theta.1 not installed");
        Assert.All(ToolCommands.Names, name => Assert.True(File.Exists(Path.Combine(man1, $"git-theta-{name}.1")), $"git-theta-{name}.1 not installed"));

        // git turns `git theta --help` into `man git-theta`; man finds the page through MANPATH, as the install message says.
        var manEnvironment = ManEnvironment(Path.GetDirectoryName(man1)!);
        var dashDashHelp = sandbox.Run("git", new[] { "theta", "--help" }, repo.Directory, extra: manEnvironment);
        var gitHelp = sandbox.Run("git", new[] { "help", "theta" }, repo.Directory, extra: manEnvironment);
        var commandPage = sandbox.Run("man", new[] { "git-theta-ls-files" }, repo.Directory, extra: manEnvironment);

        Assert.Equal(0, dashDashHelp.ExitCode);
        Assert.Contains("GIT-THETA(1)", dashDashHelp.Output);
        Assert.Contains("version control for machine-learning checkpoints", dashDashHelp.Output);
        Assert.Equal(dashDashHelp.Output, gitHelp.Output);
        Assert.Equal(0, commandPage.ExitCode);
        Assert.Contains("--json", commandPage.Output);
    }

    [Fact]
    public void A_global_install_outside_a_repository_installs_the_pages_and_says_how_to_find_them()
    {
        var install = sandbox.Theta(sandbox.Root, "install", "--scope", "global");
        var man = Path.Combine(sandbox.Home, "data", "man");
        var custom = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "install", "--scope", "global" }, sandbox.Root, extra: new Dictionary<string, string?> { ["XDG_DATA_HOME"] = Path.Combine(sandbox.Home, "data") });
        var found = sandbox.Run("man", new[] { "-w", "git-theta-env" }, sandbox.Root, extra: ManEnvironment(man));
        var dashDashHelp = sandbox.Run("git", new[] { "theta", "--help" }, sandbox.Root, extra: ManEnvironment(man));

        Assert.Equal(0, install.ExitCode);
        Assert.True(File.Exists(Path.Combine(sandbox.Home, ".local", "share", "man", "man1", "git-theta.1")), "a global install without XDG_DATA_HOME wrote no page to ~/.local/share/man/man1");
        Assert.Equal(0, custom.ExitCode);
        Assert.Contains($"man pages written to {Path.Combine(man, "man1")}", custom.Error);
        Assert.Contains("MANPATH", custom.Error);
        Assert.Equal(Path.Combine(man, "man1", "git-theta-env.1"), found.Output.Trim());
        Assert.Equal(0, dashDashHelp.ExitCode);
        Assert.Contains("GIT-THETA(1)", dashDashHelp.Output);
        Assert.Contains("git theta <command>", dashDashHelp.Output);
    }

    public void Dispose() => sandbox.Dispose();

    private Dictionary<string, string?> ManEnvironment(string manDirectory) => new()
    {
        ["MANPATH"] = manDirectory + ":",
        ["MANPAGER"] = "cat",
        ["PAGER"] = "cat",
        ["GIT_PAGER"] = "cat",
        ["MANWIDTH"] = "200",
    };

    /// <summary>Every spelling of every option in a -h text's Options section.</summary>
    internal static IEnumerable<string> Options(string help) => OptionGroups(help).SelectMany(g => g).Distinct();

    /// <summary>The spellings of each option of a -h text's Options section, one array per option ("-q", "--quiet").</summary>
    internal static IReadOnlyList<string[]> OptionGroups(string help)
    {
        var start = help.IndexOf("Options:", StringComparison.Ordinal);
        if (start < 0)
        {
            return Array.Empty<string[]>();
        }

        var block = help[start..].Split("\n\n")[0];
        return block.Split('\n').Skip(1)
            .Select(line => OptionSpelling().Matches(line.Trim().Split("  ")[0]).Select(m => m.Value).Where(o => o != "-?").ToArray())
            .Where(g => g.Length > 0)
            .ToList();
    }

    private static string Roff(string option) => option.Replace("-", "\\-", StringComparison.Ordinal);

    [GeneratedRegex(@"(?<![\w-])--?[A-Za-z][\w-]*")]
    private static partial Regex OptionSpelling();

}
