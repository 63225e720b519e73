using System.Diagnostics;
using System.Globalization;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Progress;

/// <summary>
/// One operation's progress in git-lfs's style: a line redrawn in place with <c>\r</c>, percent, amounts and rate,
/// ended with ", done." and a newline. Advanced per chunk or per object, never per byte, and redrawn at most every
/// 100 ms, so a fast operation costs a few writes.
/// </summary>
internal sealed class ProgressMeter : IDisposable
{
    private static readonly long RedrawInterval = Stopwatch.Frequency / 10;

    private readonly object gate = new();
    private readonly TextWriter? terminal;
    private readonly LfsProgressFile? file;
    private readonly string label;
    private readonly string fileName;
    private readonly int totalItems;
    private readonly long totalBytes;
    private readonly long started = Stopwatch.GetTimestamp();
    private long lastDrawn;
    private long bytesDone;
    private int itemsDone;
    private int drawnWidth;
    private bool finished;

    private ProgressMeter(TextWriter? terminal, LfsProgressFile? file, string label, string fileName, int totalItems, long totalBytes)
    {
        this.terminal = terminal;
        this.file = file;
        this.label = label;
        this.fileName = fileName;
        this.totalItems = totalItems;
        this.totalBytes = totalBytes;
        lastDrawn = started;
    }

    /// <summary>The bytes of one file (clean, smudge): a heading line <c>Cleaning model.safetensors (1.00 GiB)</c>, then the meter.</summary>
    /// <param name="lfsDirection">The direction written to GIT_LFS_PROGRESS (git-lfs's "checkout", "download"), or null to leave that file alone.</param>
    public static ProgressMeter? ForFile(ProgressSettings settings, string verb, string path, long totalBytes, string? lfsDirection = null)
    {
        var file = lfsDirection is null ? null : LfsProgressFile.Open(settings, lfsDirection);
        if (!settings.ToTerminal && file is null)
        {
            return null;
        }

        var terminal = settings.ToTerminal ? Console.Error : null;
        terminal?.WriteLine($"{verb} {path} ({ByteSize.Format(totalBytes)})");
        var meter = new ProgressMeter(terminal, file, $"{verb} {path}", path, totalItems: 0, totalBytes);
        meter.Draw();
        return meter;
    }

    /// <summary>
    /// A number of objects of known total size (fetch, verify): <c>Downloading parameter objects: 45% (98/218), 460.8 MiB | 40.1 MiB/s</c>;
    /// with a total size of 0, a count alone (<c>Rewriting commits: 45% (9/20)</c>).
    /// </summary>
    public static ProgressMeter? ForObjects(ProgressSettings settings, string label, int totalItems, long totalBytes, string? lfsDirection = null, string? lfsName = null)
    {
        var file = lfsDirection is null ? null : LfsProgressFile.Open(settings, lfsDirection);
        if (!settings.ToTerminal && file is null)
        {
            return null;
        }

        var meter = new ProgressMeter(settings.ToTerminal ? Console.Error : null, file, label, lfsName ?? label, totalItems, totalBytes);
        meter.Draw();
        return meter;
    }

    public void Advance(long bytes, int items = 0)
    {
        lock (gate)
        {
            bytesDone += bytes;
            itemsDone += items;
            var now = Stopwatch.GetTimestamp();
            if (now - lastDrawn >= RedrawInterval)
            {
                lastDrawn = now;
                Draw();
            }
        }
    }

    /// <summary>Prints a message on its own line and draws the meter again under it.</summary>
    public void WriteAbove(string line)
    {
        lock (gate)
        {
            if (terminal is null)
            {
                return;
            }

            terminal.Write("\r" + line.PadRight(drawnWidth) + "\n");
            drawnWidth = 0;
            if (!finished)
            {
                Draw();
            }
        }
    }

    /// <summary>Draws the final state with ", done." and ends the line.</summary>
    public void Finish()
    {
        lock (gate)
        {
            if (finished)
            {
                return;
            }

            finished = true;
            Draw(", done.");
            terminal?.Write('\n');
            file?.Dispose();
        }
    }

    /// <summary>Ends the line without claiming success (the operation failed or stopped early), so an error starts on its own line.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (finished)
            {
                return;
            }

            finished = true;
            terminal?.Write('\n');
            file?.Dispose();
        }
    }

    private void Draw(string suffix = "")
    {
        file?.Write(Math.Max(itemsDone, totalItems == 0 ? 1 : itemsDone), Math.Max(totalItems, 1), bytesDone, totalBytes, fileName);
        if (terminal is null)
        {
            return;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var rate = seconds > 0 ? ByteSize.Format((long)(bytesDone / seconds)) + "/s" : "0 B/s";
        var text = totalItems > 0 && totalBytes == 0
            ? $"{label}: {Percent(itemsDone, totalItems),3}% ({itemsDone}/{totalItems}){suffix}"
            : totalItems > 0
            ? $"{label}: {Percent(itemsDone, totalItems),3}% ({itemsDone}/{totalItems}), {ByteSize.Format(bytesDone)} | {rate}{suffix}"
            : $"{label}: {Percent(bytesDone, totalBytes),3}% ({ByteSize.Format(bytesDone)}/{ByteSize.Format(totalBytes)}) | {rate}{suffix}";

        text = TerminalWidth.Fit(text, label, TerminalWidth.Current());

        // Spaces over what a longer previous line left, as git-lfs's meter does.
        var padding = drawnWidth > text.Length ? new string(' ', drawnWidth - text.Length) : string.Empty;
        drawnWidth = text.Length;
        terminal.Write("\r" + text + padding);
        terminal.Flush();
    }

    private static string Percent(long done, long total) =>
        (total <= 0 ? 100 : Math.Min(100, done * 100 / total)).ToString(CultureInfo.InvariantCulture);
}
