namespace GitTheta.Tool.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public ProcessResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:\n{Error}\n{Output}");
        }

        return this;
    }
}
