using System.Text;

namespace GitTheta.Core.Git;

/// <summary>
/// Answers attribute queries for many paths through one long-running <c>git check-attr --stdin -z</c>, so a filter
/// process that cleans hundreds of files pays one git start, not one per file (the cost that dominated a
/// <c>git add</c> of many small checkpoints). git flushes its answer after each path it reads from a pipe.
/// When that git cannot be started or stops answering, each query falls back to one <c>git check-attr</c> of its own.
/// </summary>
internal sealed class AttributeReader : IDisposable
{
    private readonly string workTree;
    private readonly string[] attributes;
    private readonly object gate = new();
    private StreamingGitProcess? process;
    private BufferedStream? answers;
    private bool broken;
    private PendingAttributes? outstanding;

    public AttributeReader(string workTree, params string[] attributes)
    {
        this.workTree = workTree;
        this.attributes = attributes;
    }

    /// <summary>The set attributes of one path (unspecified and unset ones are left out), in git's own semantics.</summary>
    public Dictionary<string, string> Read(string relativePath) => Ask(relativePath).Answer();

    /// <summary>
    /// Sends the question for one path now and returns what collects the answer later, so that git works out the
    /// attributes on the other core while the caller does its own lookups: each answer costs a round trip through
    /// another process, which was half of what a small checkpoint cost a clean beyond git-lfs.
    /// </summary>
    public PendingAttributes Ask(string relativePath)
    {
        var pending = new PendingAttributes(this, relativePath);

        // A path with a NUL cannot be asked on the -z stream; git paths never hold one, but never desynchronise on it.
        if (relativePath.Contains('\0'))
        {
            return pending;
        }

        lock (gate)
        {
            // One question is on the wire at a time, so every answer is read back for the path it was asked for.
            if (outstanding is not null)
            {
                Collect(outstanding);
            }

            if (!broken)
            {
                try
                {
                    Send(relativePath);
                    outstanding = pending;
                }
                catch (Exception e) when (IsBroken(e))
                {
                    broken = true;
                    Stop();
                }
            }
        }

        return pending;
    }

    /// <summary>The answer to a question sent by <see cref="Ask"/>: read from git once, or asked of a git of its own when the long-running one failed.</summary>
    internal Dictionary<string, string> Collect(PendingAttributes pending)
    {
        lock (gate)
        {
            if (pending.Result is null && ReferenceEquals(outstanding, pending))
            {
                outstanding = null;
                if (!broken)
                {
                    try
                    {
                        pending.Result = Receive(pending.Path);
                    }
                    catch (Exception e) when (IsBroken(e))
                    {
                        broken = true;
                        Stop();
                    }
                }
            }
        }

        return pending.Result ??= GitAttributes.GetMany(workTree, pending.Path, attributes);
    }

    public void Dispose()
    {
        lock (gate)
        {
            Stop();
            broken = true;
        }
    }

    private static bool IsBroken(Exception e) =>
        e is IOException or InvalidDataException or InvalidOperationException or ObjectDisposedException;

    private void Send(string relativePath)
    {
        if (process is null)
        {
            process = Start();
            answers = new BufferedStream(process.Output, 4096);
        }

        var input = process.Input;
        input.Write(Encoding.UTF8.GetBytes(relativePath + "\0"));
        input.Flush();
    }

    private Dictionary<string, string> Receive(string relativePath)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < attributes.Length; i++)
        {
            var path = ReadField(answers!);
            var name = ReadField(answers!);
            var value = ReadField(answers!);
            if (path != relativePath)
            {
                throw new InvalidDataException($"git check-attr answered for '{path}' when asked about '{relativePath}'.");
            }

            if (value is not ("unspecified" or "unset"))
            {
                result[name] = value;
            }
        }

        return result;
    }

    private StreamingGitProcess Start()
    {
        var arguments = new List<string> { "check-attr", "-z", "--stdin" };
        arguments.AddRange(attributes);
        return new StreamingGitProcess(workTree, arguments, new Dictionary<string, string?> { ["GIT_FLUSH"] = "1" });
    }

    private static string ReadField(Stream output)
    {
        var bytes = new List<byte>(64);
        while (true)
        {
            var b = output.ReadByte();
            if (b < 0)
            {
                throw new IOException("git check-attr ended before answering.");
            }

            if (b == 0)
            {
                return Encoding.UTF8.GetString(bytes.ToArray());
            }

            bytes.Add((byte)b);
        }
    }

    private void Stop()
    {
        if (process is null)
        {
            return;
        }

        process.CloseInput();
        process.Kill();
        process.Dispose();
        process = null;
        answers = null;
    }
}
