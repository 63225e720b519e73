using GitTheta.Core.Git;

namespace GitTheta.Tool.Progress;

/// <summary>
/// Draws the object fetcher's reports as git-lfs draws a download (<c>Downloading model.safetensors: 45% (98/218),
/// 460.8 MiB | 40.1 MiB/s</c>) and shows git-lfs's own messages above the meter.
/// </summary>
internal sealed class FetchProgressReporter : IProgress<TransferProgress>
{
    private readonly object gate = new();
    private readonly ProgressSettings settings;
    private readonly Func<string> name;
    private readonly long threshold;
    private ProgressMeter? meter;
    private TransferProgress last;

    /// <param name="name">What is being downloaded, asked when a download starts (the file a checkout is writing, or "parameter objects").</param>
    /// <param name="threshold">Downloads smaller than this in total draw nothing (a filter's small files); 0 for a command the user ran to download.</param>
    public FetchProgressReporter(ProgressSettings settings, Func<string> name, long threshold)
    {
        this.settings = settings;
        this.name = name;
        this.threshold = threshold;
    }

    /// <summary>Attaches a reporter to the repository's fetcher, if it has one and progress is on.</summary>
    public static void Attach(Core.Repositories.ThetaRepository repository, ProgressSettings settings, Func<string> name, long threshold)
    {
        if (!settings.Enabled || repository.Fetcher is not LfsObjectFetcher fetcher)
        {
            return;
        }

        var reporter = new FetchProgressReporter(settings, name, threshold);
        fetcher.Progress = reporter;
        if (settings.ToTerminal)
        {
            fetcher.TransferOutput = reporter.ShowMessage;
        }
    }

    public void Report(TransferProgress value)
    {
        lock (gate)
        {
            if (value.Done == 0 && !value.Finished)
            {
                meter?.Dispose();
                meter = value.BytesTotal >= threshold
                    ? ProgressMeter.ForObjects(settings, $"Downloading {name()}", value.Total, value.BytesTotal, lfsDirection: "download", lfsName: name())
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

    private void ShowMessage(string line)
    {
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
