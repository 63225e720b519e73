namespace GitTheta.Sdk.Tests.Infrastructure;

public sealed record ProcessResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>Standard output and error together: MSBuild writes its log to standard output.</summary>
    public string Log => Output + Error;

    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Command}' failed with exit code {ExitCode}:\n{Error}\n{Output}");
        }

        return this;
    }
}
