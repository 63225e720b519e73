namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// Tests that set variables in the test process's own environment (as the shell that runs the tests would) run alone:
/// every other test's children inherit that environment while it is set.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ShellEnvironmentCollection
{
    public const string Name = "Shell environment";
}
