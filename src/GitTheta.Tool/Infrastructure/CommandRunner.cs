using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Tool.Infrastructure;

/// <summary>Runs a command body and turns failures into one clear line with a GT code and an exit code.</summary>
internal static class CommandRunner
{
    public static bool Debug =>
        string.Equals(Environment.GetEnvironmentVariable("GIT_THETA_LOG_LEVEL"), "debug", StringComparison.OrdinalIgnoreCase);

    public static int Run(Func<ExitCode> body)
    {
        try
        {
            return (int)body();
        }
        catch (ThetaException e)
        {
            Error(e.Code, e.Message, e);
            return (int)ToExitCode(e.Code);
        }
        catch (Exception e) when (IoFailure.Describe(e) is { } failure)
        {
            // Disk full, too many open files, permission denied: the machine's state, which the user can fix.
            Error(failure.Code, failure.Message, e);
            return (int)ExitCode.IoFailure;
        }
        catch (Exception e)
        {
            Error(DiagnosticIds.UnexpectedError, $"unexpected {e.GetType().Name}: {e.Message}. Run again with GIT_THETA_LOG_LEVEL=debug and report the output.", e);
            return (int)ExitCode.Internal;
        }
    }

    public static void Error(string code, string message, Exception? exception = null)
    {
        Console.Error.WriteLine($"git-theta: error {code}: {message}");
        if (Debug && exception is not null)
        {
            Console.Error.WriteLine(exception.GetType().FullName + ": " + exception.Message);
            Console.Error.WriteLine(exception.StackTrace);
        }
    }

    public static void Warn(string message) => Console.Error.WriteLine($"git-theta: warning: {message}");

    public static void Log(string message) => Console.Error.WriteLine(message.StartsWith("git-theta", StringComparison.Ordinal) ? message : $"git-theta: {message}");

    private static ExitCode ToExitCode(string code) => code switch
    {
        DiagnosticIds.NotAGitRepository => ExitCode.NotARepository,
        DiagnosticIds.InvalidArguments or DiagnosticIds.InvalidConfiguration or DiagnosticIds.NotFoundAtRevision => ExitCode.Usage,
        DiagnosticIds.MissingObject => ExitCode.MissingObject,
        DiagnosticIds.IoFailure => ExitCode.IoFailure,
        DiagnosticIds.MergeConflict or DiagnosticIds.AttributeConflict => ExitCode.Conflict,
        DiagnosticIds.GitFailed or DiagnosticIds.GitLfsMissing or DiagnosticIds.PushFailed or DiagnosticIds.GcReferenceScanFailed => ExitCode.GitFailed,
        _ => ExitCode.InvalidInput,
    };

    internal static bool ParseBool(string? value, bool fallback) => ThetaSettings.ParseBool(value, fallback);
}
