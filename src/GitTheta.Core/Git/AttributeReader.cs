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

    public AttributeReader(string workTree, params string[] attributes)
    {
        this.workTree = workTree;
        this.attributes = attributes;
    }

    /// <summary>The set attributes of one path (unspecified and unset ones are left out), in git's own semantics.</summary>
    public Dictionary<string, string> Read(string relativePath)
    {
        // A path with a NUL cannot be asked on the -z stream; git paths never hold one, but never desynchronise on it.
        if (relativePath.Contains('\0'))
        {
            return GitAttributes.GetMany(workTree, relativePath, attributes);
        }

        lock (gate)
        {
            if (!broken)
            {
                try
                {
                    return Query(relativePath);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ObjectDisposedException)
                {
                    broken = true;
                    Stop();
                }
            }
        }

        return GitAttributes.GetMany(workTree, relativePath, attributes);
    }

    public void Dispose()
    {
        lock (gate)
        {
            Stop();
            broken = true;
        }
    }

    private Dictionary<string, string> Query(string relativePath)
    {
        if (process is null)
        {
            process = Start();
            answers = new BufferedStream(process.Output, 4096);
        }

        var input = process.Input;
        input.Write(Encoding.UTF8.GetBytes(relativePath + "\0"));
        input.Flush();

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
