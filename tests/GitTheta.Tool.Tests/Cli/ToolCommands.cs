using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary>The commands the built git-theta lists in its own help, so the CLI tests cover every command there is.</summary>
internal static partial class ToolCommands
{
    private static readonly Lazy<IReadOnlyList<string>> NamesLazy = new(() =>
    {
        using var sandbox = new Sandbox();
        var help = sandbox.Theta(sandbox.Root, "-h").EnsureSuccess("git-theta -h").Output;
        var commands = help[(help.IndexOf("Commands:", StringComparison.Ordinal) + "Commands:".Length)..];
        return CommandLine().Matches(commands).Select(m => m.Groups[1].Value).ToList();
    });

    public static IReadOnlyList<string> Names => NamesLazy.Value;

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }

        return data;
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GitTheta.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"GitTheta.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The section '## name' of docs/commands.md, up to the next '## ' heading.</summary>
    public static string DocsSection(string name)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "commands.md"));
        var heading = Regex.Match(text, $"^## {Regex.Escape(name)}\\s*$", RegexOptions.Multiline);
        if (!heading.Success)
        {
            return string.Empty;
        }

        var next = Regex.Match(text[(heading.Index + heading.Length)..], "^## ", RegexOptions.Multiline);
        return next.Success ? text.Substring(heading.Index, heading.Length + next.Index) : text[heading.Index..];
    }

    [GeneratedRegex(@"^  ([a-z][a-z-]*)\b", RegexOptions.Multiline)]
    private static partial Regex CommandLine();
}
