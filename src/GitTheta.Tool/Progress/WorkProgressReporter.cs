using GitTheta.Core.Git;
using GitTheta.Core.IO;

namespace GitTheta.Tool.Progress;

/// <summary>
/// Draws Core's <see cref="WorkProgress"/> reports as a git-lfs meter (<c>Downloading model.safetensors: 45% (98/218),
/// 460.8 MiB | 40.1 MiB/s</c>), and shows messages (git-lfs's own) above the meter instead of through it.
/// </summary>
internal sealed class WorkProgressReporter : IProgress<WorkProgress>, IDisposable
{
    private readonly object gate = new();
    private readonly ProgressSettings settings;
    private readonly Func<string> label;
    private readonly long threshold;
    private readonly string? lfsDirection;
    private readonly Func<string>? lfsName;
    private ProgressMeter? meter;
    private WorkProgress last;

    /// <param name="label">The meter's label, asked when the work starts (a checkout's download is named after the file being written).</param>
    /// <param name="threshold">Work smaller than this in bytes draws nothing (a filter's small files); 0 for a command the user ran for this work.</param>
    /// <param name="lfsDirection">git-lfs's direction word for GIT_LFS_PROGRESS ("download"), or null to leave that file alone.</param>
    public WorkProgressReporter(ProgressSettings settings, Func<string> label, long threshold = 0, string? lfsDirection = null, Func<string>? lfsName = null)
    {
        this.settings = settings;
        this.label = label;
        this.threshold = threshold;
        this.lfsDirection = lfsDirection;
        this.lfsName = lfsName;
    }

    /// <summary>
    /// Puts a download meter on the repository's object fetcher, if it has one and progress is on, and lets git-lfs's
    /// messages reach the terminal.
    /// </summary>
    /// <param name="name">What is being downloaded, asked when a download starts.</param>
    public static void AttachToFetcher(Core.Repositories.ThetaRepository repository, ProgressSettings settings, Func<string> name, long threshold)
    {
        if (!settings.Enabled || repository.Fetcher is not LfsObjectFetcher fetcher)
        {
            return;
        }

        var reporter = new WorkProgressReporter(settings, () => $"Downloading {name()}", threshold, "download", name);
        fetcher.Progress = reporter;
        if (settings.ToTerminal)
        {
            fetcher.TransferOutput = reporter.ShowMessage;
        }
    }

    public void Report(WorkProgress value)
    {
        lock (gate)
        {
            if (value.Done == 0 && !value.Finished)
            {
                meter?.Dispose();
                meter = value.Total > 0 && value.BytesTotal >= threshold
                    ? ProgressMeter.ForObjects(settings, label(), value.Total, value.BytesTotal, lfsDirection, lfsName?.Invoke())
                    : null;
                last = value;
                return;
            }

            meter?.Advance(value.BytesDone - last.BytesDone, value.Done - last.Done);
            last = value;
            if (value.Finished)
            {
                if (value.Done == value.Total)
                {
                    meter?.Finish();
                }

                meter?.Dispose();
                meter = null;
            }
        }
    }

    /// <summary>Ends a meter the work left unfinished (it failed), so an error starts on its own line.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            meter?.Dispose();
            meter = null;
        }
    }

    /// <summary>A line for the user (git-lfs's message), above the meter when one is drawn.</summary>
    public void ShowMessage(string line)
    {
        if (line.Trim().Length == 0)
        {
            return;
        }

        lock (gate)
        {
            if (meter is not null)
            {
                meter.WriteAbove(line);
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
