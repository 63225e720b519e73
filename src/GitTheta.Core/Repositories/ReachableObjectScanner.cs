using System.Globalization;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Repositories;

/// <summary>
/// Names every LFS object that a blob git keeps alive refers to, as theta metadata (containers, group objects,
/// update chains) or as a git-lfs pointer. A blob is alive when git's own garbage collection would keep it:
/// reachable from any ref (branches, tags, remote-tracking branches, the stash, notes), from HEAD, from any reflog
/// entry (so every stash entry too), or from the index (every stage, so a conflicted merge keeps all sides), in
/// every worktree of the repository.
/// </summary>
/// <remarks>
/// Three git processes stream into each other: <c>rev-list</c> lists the objects once each,
/// <c>cat-file --batch-check</c> gives their type and size, <c>cat-file --batch</c> hands over only the blobs small
/// enough to be metadata or a pointer. Only one such blob is in memory at a time, and only when its first bytes look
/// like metadata. Any sign of trouble (a git failure, any message from git, an object git cannot find) fails the
/// whole scan with GT2022: an object left out would be deleted.
/// </remarks>
internal sealed class ReachableObjectScanner : IObjectReferenceSource
{
    private static readonly string[] ListObjects = { "rev-list", "--objects", "--no-object-names", "--all", "--reflog", "--indexed-objects", "--missing=print" };
    private static readonly string[] DescribeObjects = { "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)", "--buffer" };
    private static readonly string[] ReadObjects = { "cat-file", "--batch", "--buffer" };

    // A partial clone would otherwise download every blob it lacks from its promisor remote, one at a time.
    private static readonly Dictionary<string, string?> NoLazyFetch = new() { ["GIT_NO_LAZY_FETCH"] = "1" };

    private readonly string workingDirectory;

    public ReachableObjectScanner(string workingDirectory)
    {
        this.workingDirectory = workingDirectory;
    }

    public void Scan(Action<string> referenced)
    {
        using var listing = new StreamingGitProcess(workingDirectory, ListObjects, NoLazyFetch);
        using var describing = new StreamingGitProcess(workingDirectory, DescribeObjects, NoLazyFetch);
        using var reading = new StreamingGitProcess(workingDirectory, ReadObjects, NoLazyFetch);
        var stages = new[] { listing, describing, reading };
        var missing = new MissingObjects();
        var feeders = new[]
        {
            Task.Run(() => ForwardObjectIds(listing.Output, describing, missing)),
            Task.Run(() => ForwardCandidateBlobs(describing.Output, reading, missing)),
        };

        string? pipelineFailure = null;
        try
        {
            ReadBlobs(reading.Output, referenced, missing);
            Task.WaitAll(feeders);
        }
        catch (Exception e) when (e is IOException or AggregateException or InvalidDataException)
        {
            pipelineFailure = (e is AggregateException aggregate ? aggregate.InnerException ?? e : e).Message;

            // Ending every stage unblocks whichever feeder still waits on a pipe.
            foreach (var stage in stages)
            {
                stage.Kill();
            }

            try
            {
                Task.WaitAll(feeders);
            }
            catch (AggregateException)
            {
            }
        }

        var results = stages.Select(stage => (stage.Arguments, Result: stage.WaitForExit())).ToList();
        if (results.FirstOrDefault(r => r.Result.Error.Trim().Length > 0) is { Arguments: not null } complaint)
        {
            throw Failed(complaint.Arguments, FirstLine(complaint.Result.Error));
        }

        if (pipelineFailure is not null)
        {
            throw Failed(ListObjects, pipelineFailure);
        }

        if (results.FirstOrDefault(r => r.Result.ExitCode != 0) is { Arguments: not null } failed)
        {
            throw Failed(failed.Arguments, $"exit code {failed.Result.ExitCode}");
        }

        if (missing.First is { } first)
        {
            throw new ThetaException(
                DiagnosticIds.GcReferenceScanFailed,
                $"{missing.Count} object(s) that refs, reflogs or the index reach are missing from the repository (first: {first}), so what they reference is unknown; nothing was deleted. A partial clone lacks objects by design and cannot be collected; otherwise run 'git fsck' and restore the missing objects (for example with 'git fetch' from a remote that has them), then run 'git theta gc' again.");
        }
    }

    private static void ForwardObjectIds(Stream listed, StreamingGitProcess describing, MissingObjects missing)
    {
        try
        {
            using var reader = new StreamReader(listed, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            using var writer = new StreamWriter(describing.Input, Encoding.ASCII, bufferSize: 1 << 16, leaveOpen: true);
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith('?'))
                {
                    missing.Add(line[1..]);
                }
                else if (line.Length > 0)
                {
                    writer.Write(line);
                    writer.Write('\n');
                }
            }

            writer.Flush();
        }
        finally
        {
            describing.CloseInput();
        }
    }

    private static void ForwardCandidateBlobs(Stream described, StreamingGitProcess reading, MissingObjects missing)
    {
        try
        {
            using var reader = new StreamReader(described, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            using var writer = new StreamWriter(reading.Input, Encoding.ASCII, bufferSize: 1 << 16, leaveOpen: true);
            while (reader.ReadLine() is { } line)
            {
                var fields = line.Split(' ');
                if (fields.Length == 2 && fields[1] == "missing")
                {
                    missing.Add(fields[0]);
                }
                else if (fields.Length == 3 && fields[1] == "blob"
                    && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    && size <= MetadataSerializer.MaxMetadataBytes)
                {
                    writer.Write(fields[0]);
                    writer.Write('\n');
                }
            }

            writer.Flush();
        }
        finally
        {
            reading.CloseInput();
        }
    }

    private static void ReadBlobs(Stream output, Action<string> referenced, MissingObjects missing)
    {
        using var stream = new BufferedStream(output, 1 << 16);
        var prefix = new byte[MetadataReferences.PrefixBytes];
        var skip = new byte[1 << 16];
        while (ReadLine(stream) is { } header)
        {
            var fields = header.Split(' ');
            if (fields.Length == 2 && fields[1] == "missing")
            {
                missing.Add(fields[0]);
                continue;
            }

            if (fields.Length != 3 || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw new InvalidDataException($"unexpected output from git cat-file: '{header}'");
            }

            var prefixLength = (int)Math.Min(size, prefix.Length);
            stream.ReadExactly(prefix, 0, prefixLength);
            var head = prefix.AsSpan(0, prefixLength);
            IReadOnlyList<string> oids;
            if (LfsPointer.IsPointer(head) && size == prefixLength)
            {
                oids = LfsPointer.Oids(head);
            }
            else if (MetadataReferences.MayBeMetadata(head))
            {
                var whole = new byte[size];
                head.CopyTo(whole);
                stream.ReadExactly(whole, prefixLength, (int)(size - prefixLength));
                oids = MetadataReferences.Oids(whole);
            }
            else
            {
                for (var left = size - prefixLength; left > 0;)
                {
                    var chunk = (int)Math.Min(left, skip.Length);
                    stream.ReadExactly(skip, 0, chunk);
                    left -= chunk;
                }

                oids = Array.Empty<string>();
            }

            if (stream.ReadByte() != '\n')
            {
                throw new InvalidDataException("git cat-file's output ended in the middle of a blob");
            }

            foreach (var oid in oids)
            {
                referenced(oid);
            }
        }
    }

    private static string? ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                return line.Length == 0 ? null : throw new InvalidDataException("git cat-file's output ended in the middle of a line");
            }

            if (b == '\n')
            {
                return line.ToString();
            }

            line.Append((char)b);
        }
    }

    private static string FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0);

    private static ThetaException Failed(IReadOnlyList<string> arguments, string problem) =>
        new(
            DiagnosticIds.GcReferenceScanFailed,
            $"cannot tell which objects are still referenced: 'git {string.Join(' ', arguments)}' reported: {problem}; nothing was deleted. Run 'git fsck' to find the damage and repair or delete the broken ref or reflog entry ('git reflog expire --stale-fix --all' drops reflog entries of missing commits), then run 'git theta gc' again.");

    /// <summary>Objects git could not find; written by two stages at once.</summary>
    private sealed class MissingObjects
    {
        private readonly object gate = new();

        public int Count { get; private set; }

        public string? First { get; private set; }

        public void Add(string id)
        {
            lock (gate)
            {
                Count++;
                First ??= id;
            }
        }
    }
}
