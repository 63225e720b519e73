using GitTheta.Core.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks;

/// <summary>
/// The base of every GitTheta task: GT1xxx diagnostics as one line with a help link, located at the project file,
/// and engine, file system and git errors that escape a task reported as one line (GT1006) instead of a stack trace.
/// </summary>
public abstract class ThetaTask : Microsoft.Build.Utilities.Task
{
    public const string HelpLinkBase = "https://github.com/gittheta/gittheta-dotnet/blob/main/docs/diagnostics/";

    /// <summary>The project the diagnostics are located at ($(MSBuildProjectFullPath)); by default the file that calls the task.</summary>
    public string ProjectFile { get; set; } = string.Empty;

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (ThetaException e)
        {
            Error(DiagnosticIds.ModelMaterializationFailed, $"{e.Message} ({e.Code})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or LibGit2Sharp.LibGit2SharpException)
        {
            // The file system or git said no (permissions, a full disk, a damaged repository): one line, not a task crash.
            Error(DiagnosticIds.ModelMaterializationFailed, $"{GetType().Name}: {e.Message}");
        }

        return !Log.HasLoggedErrors;
    }

    protected abstract void Run();

    protected void Error(string code, string message) =>
        Log.LogError(null, code, null, HelpLinkBase + code + ".md", Location, 0, 0, 0, 0, message);

    protected void Warning(string code, string message) =>
        Log.LogWarning(null, code, null, HelpLinkBase + code + ".md", Location, 0, 0, 0, 0, message);

    protected void Info(string message) => Log.LogMessage(MessageImportance.High, "GitTheta: " + message);

    protected void Detail(string message) => Log.LogMessage(MessageImportance.Low, "GitTheta: " + message);

    /// <summary>A folder as messages show it, without a trailing separator.</summary>
    protected static string Display(string directory) => Path.TrimEndingDirectorySeparator(directory);

    private string Location => ProjectFile.Length > 0 ? ProjectFile : BuildEngine?.ProjectFileOfTaskNode ?? string.Empty;
}
