using GitTheta.Tool.Tests.EndToEnd;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// The sandbox must hold even when the shell that runs the tests has git and git-theta settings of its own (a
/// developer's GIT_CONFIG_GLOBAL, a CI job's GIT_THETA_* variables): none of them may reach a test's commands, and
/// nothing a test writes to "global" config may reach the developer's file.
/// </summary>
[Collection(ShellEnvironmentCollection.Name)]
public sealed class SandboxIsolationTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Git_variables_of_the_shell_neither_reach_the_commands_nor_receive_their_global_config()
    {
        // The sandbox's own global config is HOME's .gitconfig (spelled out, not taken from the sandbox, so this
        // test compiles and fails against a sandbox that does not isolate).
        var sandboxConfig = Path.Combine(sandbox.Home, ".gitconfig");
        var developerConfig = sandbox.Path("developer.gitconfig");
        File.WriteAllText(developerConfig, "[user]\n\tname = Developer\n");
        var shell = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_GLOBAL"] = developerConfig,
            ["GIT_THETA_MANUAL_MERGE"] = "1",
            ["GIT_THETA_PARAMETER_ATOL"] = "0.5",
            ["GIT_AUTHOR_NAME"] = "Shell",
        };

        WithShellEnvironment(shell, () =>
        {
            var repo = sandbox.InitRepository();
            repo.ThetaOk("install", "--scope", "global");

            Assert.Equal("[user]\n\tname = Developer\n", File.ReadAllText(developerConfig));
            Assert.Contains("[filter \"theta\"]", File.ReadAllText(sandboxConfig));
            Assert.Equal("GitTheta Tests\n", repo.GitOk("config", "user.name"));

            // Commands run on a terminal or an open pipe get the same environment.
            using var session = TerminalSession.WithOpenPipe(sandbox, repo.Directory, new Dictionary<string, string?>(), "sh", "-c", "echo \"${GIT_THETA_MANUAL_MERGE-unset} ${GIT_THETA_PARAMETER_ATOL-unset} ${GIT_AUTHOR_NAME-unset} $GIT_CONFIG_GLOBAL\"");
            Assert.Equal(0, session.WaitForExit());
            Assert.Equal($"unset unset unset {sandboxConfig}\n", session.Output);
        });
    }

    public void Dispose() => sandbox.Dispose();

    private static void WithShellEnvironment(IReadOnlyDictionary<string, string?> variables, Action body)
    {
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (key, value) in variables)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            body();
        }
        finally
        {
            foreach (var (key, value) in saved)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }
}
