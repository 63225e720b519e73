using GitTheta.Core.Filters;

namespace GitTheta.Tool.Progress;

/// <summary>
/// Puts a meter on the clean and smudge of files at or over the threshold: <c>Cleaning model.safetensors (1.00 GiB)</c>
/// counts the bytes git hands over, <c>Smudging …</c> the bytes written back. Smaller files, and every file when
/// progress is off, go straight to the handler with nothing wrapped.
/// </summary>
internal sealed class ProgressFilterHandler : IFilterHandler
{
    private readonly IFilterHandler inner;
    private readonly ProgressSettings settings;
    private readonly string? workTree;

    public ProgressFilterHandler(IFilterHandler inner, ProgressSettings settings, string? workTree)
    {
        this.inner = inner;
        this.settings = settings;
        this.workTree = workTree;
    }

    /// <summary>The file being smudged, which names the download a missing object starts.</summary>
    public string? CurrentPath { get; private set; }

    public byte[] Clean(Stream content, string path)
    {
        // git streams the working file, whose size is the total; a path with no working file (hash-object --stdin) gets no meter.
        var size = SizeOnDisk(path);
        if (size < settings.Threshold || ProgressMeter.ForFile(settings, "Cleaning", path, size) is not { } meter)
        {
            return inner.Clean(content, path);
        }

        using (meter)
        {
            var metadata = inner.Clean(new ProgressReadStream(content, meter), path);
            meter.Finish();
            return metadata;
        }
    }

    public void Prefetch(IReadOnlyList<DelayedSmudge> upcoming)
    {
        // One download for several files names none of them; for one file it names that file, as its own smudge would.
        CurrentPath = upcoming.Count == 1 ? upcoming[0].Path : null;
        inner.Prefetch(upcoming);
    }

    public bool LacksObjects(IReadOnlyList<DelayedSmudge> upcoming) => inner.LacksObjects(upcoming);

    public ISmudgeResult Smudge(Stream content, string path)
    {
        CurrentPath = path;
        var result = inner.Smudge(content, path);
        return result is { IsCheckpoint: true, EstimatedLength: { } length } && length >= settings.Threshold
            ? new MeteredSmudge(result, settings, path, length)
            : result;
    }

    private long SizeOnDisk(string path)
    {
        if (workTree is null)
        {
            return -1;
        }

        try
        {
            var file = new FileInfo(Path.Combine(workTree, path));
            return file.Exists ? file.Length : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return -1;
        }
    }

    private sealed class MeteredSmudge(ISmudgeResult inner, ProgressSettings settings, string path, long length) : ISmudgeResult
    {
        public bool IsCheckpoint => inner.IsCheckpoint;

        public long? EstimatedLength => length;

        public void WriteTo(Stream output)
        {
            using var meter = ProgressMeter.ForFile(settings, "Smudging", path, length, lfsDirection: "checkout");
            if (meter is null)
            {
                inner.WriteTo(output);
                return;
            }

            inner.WriteTo(new ProgressWriteStream(output, meter));
            meter.Finish();
        }

        public void Dispose() => inner.Dispose();
    }
}
