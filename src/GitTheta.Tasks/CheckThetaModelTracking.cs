using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// Checks that .gitattributes binds every ThetaModel to the theta filter, diff and merge drivers (else git would store
/// the checkpoint as one opaque blob): a warning with the command that fixes it, or, with AutoTrack, the fix itself.
/// </summary>
public sealed class CheckThetaModelTracking : ThetaTask
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Track untracked models in the repository's root .gitattributes instead of warning.</summary>
    public bool AutoTrack { get; set; }

    [Output]
    public ITaskItem[] TrackedModels { get; private set; } = Array.Empty<ITaskItem>();

    protected override void Run()
    {
        var byRoot = new Dictionary<string, List<(ThetaModelItem Model, string Path)>>(StringComparer.Ordinal);
        foreach (var model in DeclaredModels(Models, ProjectDirectory))
        {
            // git-theta cleans checkpoints only: a companion file (config, tokenizer) is pinned as it is, without advice to track it.
            if (Repositories.Find(model.FullPath) is { Git: { WorkTree: { } root } repository } theta && CheckpointInspector.IsCheckpoint(theta, model))
            {
                if (!byRoot.TryGetValue(root, out var list))
                {
                    byRoot[root] = list = new List<(ThetaModelItem, string)>();
                }

                list.Add((model, repository.RelativePath(model.FullPath)));
            }
        }

        var tracked = new List<ITaskItem>();
        foreach (var (root, models) in byRoot)
        {
            var paths = models.Select(m => m.Path).Distinct(StringComparer.Ordinal).ToList();
            var drivers = GitAttributes.DriverAttributes.ToDictionary(a => a, a => GitAttributes.GetAll(root, paths, a));
            foreach (var (model, path) in models)
            {
                var missing = GitAttributes.DriverAttributes.Where(a => !drivers[a].TryGetValue(path, out var value) || value != "theta").ToList();
                if (missing.Count == 0)
                {
                    continue;
                }

                if (AutoTrack)
                {
                    if (Track(root, model, path))
                    {
                        tracked.Add(model.Item);
                    }

                    continue;
                }

                var bound = missing.Select(a => drivers[a].TryGetValue(path, out var value) ? $"{a}={value}" : null).FirstOrDefault(v => v is not null);
                var state = bound is null ? "no filter=theta diff=theta merge=theta" : $"{bound} instead of the theta drivers";

                // git theta track refuses a path git-lfs holds (GT2009): the pattern must leave git-lfs first.
                var fix = drivers["filter"].TryGetValue(path, out var filter) && filter == "lfs"
                    ? $"git lfs untrack {Quote(path)} && git theta track {Quote(path)} && git add --renormalize {Quote(path)} (a Revision before the switch still builds from its git-lfs pointer)"
                    : $"git theta track {Quote(path)} (or build once with -p:GitThetaAutoTrack=true)";
                Warning(
                    DiagnosticIds.ModelNotTracked,
                    $"ThetaModel '{model.ProjectPath}' is not tracked by git-theta (.gitattributes gives it {state}), so git stores it as one opaque blob; to fix it, run in {Display(root)}: {fix}.");
            }
        }

        TrackedModels = tracked.ToArray();
    }

    private bool Track(string root, ThetaModelItem model, string path)
    {
        try
        {
            var format = model.Format.Length > 0 ? CheckpointFormatRegistry.Default.Get(model.Format, path).Name : null;
            using (CrossProcessLock.Acquire(Path.Combine(root, ".gitattributes"), TimeSpan.FromMinutes(5)))
            {
                GitAttributes.Track(root, path, format);
            }

            Info($"tracking '{path}' with git-theta: added it to {Path.Combine(root, ".gitattributes")} (commit that file).");
            return true;
        }
        catch (ThetaException e)
        {
            Warning(DiagnosticIds.ModelNotTracked, $"ThetaModel '{model.ProjectPath}' is not tracked by git-theta and GitThetaAutoTrack could not track it: {e.Message} ({e.Code})");
            return false;
        }
    }

    private static string Quote(string path) =>
        path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '&' or ';' or '(' or ')' or '*' or '?' or '[')
            ? "'" + path.Replace("'", "'\\''") + "'"
            : path;
}
