namespace GitTheta.Tool.Merging;

/// <summary>
/// Whether the merge driver may ask questions. git runs the driver with its own standard input and output, so they
/// are the user's terminal in an interactive 'git merge' and pipes or files in CI and scripts, where it must never
/// wait for an answer. GIT_TERMINAL_PROMPT=0, git's own "never prompt", is honoured too.
/// </summary>
internal static class MergeTerminal
{
    public static bool CanPrompt =>
        !Console.IsInputRedirected && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("GIT_TERMINAL_PROMPT") != "0";
}
