using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary><c>git theta completion bash|zsh|pwsh</c>: scripts rendered from the command tree; the bash one run by bash.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Theory]
    [InlineData("bash", "complete -o default -F _git_theta git-theta")]
    [InlineData("zsh", "compdef _git-theta git-theta")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName git-theta")]
    public void Each_shell_gets_a_script_that_knows_every_command(string shell, string registration)
    {
        var result = sandbox.Theta(sandbox.Root, "completion", shell);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains(registration, result.Output);
        Assert.All(ToolCommands.Names, name => Assert.Contains(name, result.Output));
    }

    [Theory]
    [InlineData("git theta st", "status")]
    [InlineData("git theta ls-files --j", "--json")]
    [InlineData("git-theta comp", "completion")]
    [InlineData("git theta env --", "--help --json")]
    [InlineData("git theta u", "uninstall untrack")]
    public void The_bash_script_completes_commands_and_options(string line, string expected)
    {
        var words = line.Split(' ');
        var script = $"source <(git-theta completion bash) && COMP_WORDS=({line}) && COMP_CWORD={words.Length - 1} && _git_theta && printf '%s\\n' \"${{COMPREPLY[@]}}\" | sort";

        var result = sandbox.Run("bash", new[] { "-c", script }, sandbox.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(expected.Split(' ').Order(StringComparer.Ordinal), result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_unknown_shell_is_one_GT2010_line_with_exit_2()
    {
        var result = sandbox.Theta(sandbox.Root, "completion", "fish");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches("^git-theta: error GT2010: [^\n]*fish[^\n]*\n$", result.Error);
        Assert.Equal(string.Empty, result.Output);
    }

    public void Dispose() => sandbox.Dispose();
}
