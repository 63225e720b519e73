using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks;

/// <summary>
/// The base of every GitTheta task: it gives the task the build's repositories (<see cref="Repositories"/>, opened once
/// per build and shared by every task), reports GT1xxx diagnostics as one line with a help link, located at the project
/// file, turns a <see cref="ThetaException"/> or a file system or git error that escapes the task into one such error
/// instead of a stack trace, and succeeds exactly when no error was logged.
/// </summary>
public abstract class ThetaTask : Microsoft.Build.Utilities.Task
{
    /// <summary>Where the diagnostic pages are; a code's page is this + code + ".md".</summary>
    public const string HelpLinkBase = "https://github.com/gittheta/gittheta-dotnet/blob/main/docs/diagnostics/";

    private BuildRepositories? repositories;

    /// <summary>The project the diagnostics are located at ($(MSBuildProjectFullPath)); by default the file that calls the task.</summary>
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>The repositories of this build: the one object per repository that every GitTheta task of the build shares.</summary>
    private protected BuildRepositories Repositories => repositories ??= new BuildRepositories(BuildEngine);

    /// <inheritdoc />
    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (ThetaException e) when (IsTaskCode(e.Code))
        {
            Error(e.Code, e.Message);
        }
        catch (ThetaException e)
        {
            // An engine error (GT2xxx) keeps its own code in the text; the build reports it as the task's failure.
            Error(DiagnosticIds.ModelMaterializationFailed, $"{e.Message} ({e.Code})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or LibGit2Sharp.LibGit2SharpException)
        {
            // The file system or git said no (permissions, a full disk, a damaged repository): one line, not a task crash.
            Error(DiagnosticIds.ModelMaterializationFailed, $"{GetType().Name}: {e.Message}");
        }
        finally
        {
            repositories?.Dispose();
            repositories = null;
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>The task's work; errors are logged (or thrown as <see cref="ThetaException"/>), never returned.</summary>
    protected abstract void Run();

    /// <summary>
    /// The repository whose work tree holds <paramref name="fullPath"/>, shared by every task of the build (one engine,
    /// one fetcher); what it logs while this task uses it (git-lfs's lines) goes to this task's detailed log
    /// (<see cref="ThetaRepository.RouteLog"/>) from the call that materializes or fetches.
    /// </summary>
    /// <remarks>Null when the path is not inside a repository.</remarks>
    private protected ThetaRepository? FindRepository(string fullPath) => Repositories.Find(fullPath);

    /// <summary>The checkpoint formats of the repository that holds <paramref name="file"/> (the defaults outside one).</summary>
    private protected Core.Checkpoints.CheckpointFormatRegistry FormatsFor(string file) =>
        Repositories.Find(file)?.Formats ?? Core.Checkpoints.CheckpointFormatRegistry.Default;

    /// <summary>The declared models, a folder replaced by its files (<see cref="ModelFolder"/>).</summary>
    private protected IReadOnlyList<ThetaModelItem> DeclaredModels(IEnumerable<ITaskItem> items, string projectDirectory) =>
        ModelFolder.Expand(items, projectDirectory, path => FindRepository(path)?.Git);

    /// <summary>Logs error <paramref name="code"/> (GT1xxx) with its help link, located at the project.</summary>
    protected void Error(string code, string message) =>
        Log.LogError(null, code, null, HelpLinkBase + code + ".md", Location, 0, 0, 0, 0, message);

    /// <summary>Logs warning <paramref name="code"/> (GT1xxx) with its help link, located at the project.</summary>
    protected void Warning(string code, string message) =>
        Log.LogWarning(null, code, null, HelpLinkBase + code + ".md", Location, 0, 0, 0, 0, message);

    /// <summary>A message a normal-verbosity build shows.</summary>
    protected void Info(string message) => Log.LogMessage(MessageImportance.High, "GitTheta: " + message);

    /// <summary>A message only a detailed build log shows.</summary>
    protected void Detail(string message) => Log.LogMessage(MessageImportance.Low, "GitTheta: " + message);

    /// <summary>A folder as messages show it, without a trailing separator.</summary>
    protected static string Display(string directory) => Path.TrimEndingDirectorySeparator(directory);

    private static bool IsTaskCode(string code) => code.StartsWith("GT1", StringComparison.Ordinal);

    private string Location => ProjectFile.Length > 0 ? ProjectFile : BuildEngine?.ProjectFileOfTaskNode ?? string.Empty;
}
