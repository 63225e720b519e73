using System.Diagnostics;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.IO;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Git;

/// <summary>
/// Downloads objects through the real git-lfs, so any LFS server (or a bare repository over file://)
/// works as the remote store: one <c>git lfs filter-process</c> is asked to smudge a pointer for each
/// missing object, which makes git-lfs download it into the shared local store.
/// </summary>
internal sealed class LfsObjectFetcher : IObjectFetcher
{
    /// <summary>The pathname each pointer is smudged under, so git-lfs's per-object heading can be told from its other messages.</summary>
    private const string FetchPath = ".git-theta-fetch/";
    private const string FetchHeading = "Downloading " + FetchPath;

    private readonly string workingDirectory;
    private readonly Action<string> log;
    private readonly LfsObjectStore? store;
    private readonly Lazy<bool> lfsInstalled;
    private readonly Lazy<LfsFetchFilter> fetchFilter;

    /// <param name="store">The store git-lfs downloads into: objects whose canonical copy is there are never handed to git-lfs (given a pointer whose size differs from its file, git-lfs deletes the file), and what git-lfs downloads is adopted into it.</param>
    /// <param name="config">The repository's config as git resolves it (lfs.fetchinclude / lfs.fetchexclude): a clone's checkout then starts no git per setting.</param>
    public LfsObjectFetcher(string workingDirectory, Action<string> log, Func<string, string?> config, LfsObjectStore? store = null)
    {
        this.workingDirectory = workingDirectory;
        this.log = log;
        this.store = store;
        lfsInstalled = new Lazy<bool>(() => GitCli.Run(workingDirectory, "lfs", "version").Succeeded);
        fetchFilter = new Lazy<LfsFetchFilter>(() => LfsFetchFilter.Load(config));
    }

    /// <summary>Told when a fetch starts, after each object git-lfs delivered and when it ends.</summary>
    public IProgress<WorkProgress>? Progress { get; set; }

    /// <summary>
    /// When set, git-lfs's messages reach it line by line as they come (the front end shows them on a terminal), except
    /// the "Downloading &lt;name&gt; (&lt;size&gt;)" heading git-lfs prints per object, which <see cref="Progress"/> replaces.
    /// </summary>
    public Action<string>? TransferOutput { get; set; }

    /// <summary>lfs.fetchinclude / lfs.fetchexclude: a checkout leaves the files they exclude as metadata, as git-lfs leaves pointers.</summary>
    public LfsFetchFilter FetchFilter => fetchFilter.Value;

    public void Fetch(IReadOnlyCollection<ObjectRef> objects)
    {
        if (store is not null)
        {
            objects = objects.Where(o => !File.Exists(store.PathOf(o.Oid))).ToList();
        }

        if (objects.Count > 0 && !lfsInstalled.Value)
        {
            // Without this, git answers every start with its "'lfs' is not a git command" page, once per object.
            throw new ThetaException(
                DiagnosticIds.GitLfsMissing,
                $"git-lfs is not installed, so {objects.Count} parameter object(s) missing from the local store cannot be downloaded (first: {objects.First().Oid}); install it (https://git-lfs.com, or 'apt-get install git-lfs') and run the command again.");
        }

        // git-lfs stops at the first object the remote lacks; start it again for the rest, skipping that one.
        var remaining = new Queue<ObjectRef>(objects);
        var tally = new Tally(objects.Count, objects.Sum(o => o.Size));
        Progress?.Report(tally.Now(finished: false));
        var starts = 0;
        try
        {
            while (remaining.Count > 0 && starts++ <= objects.Count)
            {
                if (!FetchUntilFailure(remaining, tally))
                {
                    break;
                }
            }
        }
        finally
        {
            Progress?.Report(tally.Now(finished: true));
        }

        if (store is not null)
        {
            foreach (var reference in objects)
            {
                // Hashed before it becomes canonical; a download that is not the object stays git-lfs's business.
                if (File.Exists(store.LfsPathOf(reference.Oid)))
                {
                    store.Adopt(reference.Oid);
                }
            }
        }
    }

    private static bool HasTerminal()
    {
        if (OperatingSystem.IsWindows())
        {
            return Environment.UserInteractive;
        }

        try
        {
            using var tty = new FileStream("/dev/tty", FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Runs one git-lfs process over the queue; false when git-lfs cannot be started at all.</summary>
    private bool FetchUntilFailure(Queue<ObjectRef> remaining, Tally tally)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // git-lfs applies lfs.fetchinclude/fetchexclude to the pathname it is given, and ours is a made-up one: git-theta
        // has already decided which objects to fetch, so a partial clone's patterns must not veto them here.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("lfs.fetchinclude=");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("lfs.fetchexclude=");
        start.ArgumentList.Add("lfs");
        start.ArgumentList.Add("filter-process");

        // A user who skips LFS smudging still needs the objects a theta checkout asks for.
        start.Environment.Remove("GIT_LFS_SKIP_SMUDGE");

        // Without a terminal (a build server, CI) nobody can answer a credential prompt: fail instead of hanging.
        if (!HasTerminal())
        {
            start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        }
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log($"cannot run git lfs to fetch {remaining.Count} object(s): {e.Message}");
            return false;
        }

        if (process is null)
        {
            return false;
        }

        using (process)
        {
            var stderr = ReadMessages(process.StandardError);
            try
            {
                var writer = new PktLineWriter(process.StandardInput.BaseStream);
                var reader = new PktLineReader(process.StandardOutput.BaseStream);
                writer.WriteText("git-filter-client");
                writer.WriteText("version=2");
                writer.WriteFlush();
                writer.Flush();
                reader.ReadTextList();
                writer.WriteText("capability=clean");
                writer.WriteText("capability=smudge");
                writer.WriteText("capability=delay");
                writer.WriteFlush();
                writer.Flush();
                var capabilities = reader.ReadTextList() ?? new List<string>();
                if (capabilities.Contains("capability=delay"))
                {
                    FetchDelayed(remaining, tally, writer, reader);
                    return true;
                }

                while (remaining.Count > 0)
                {
                    var reference = remaining.Dequeue();
                    writer.WriteText("command=smudge");
                    writer.WriteText($"pathname={FetchPath}{reference.Oid}");
                    writer.WriteFlush();
                    writer.WritePacket(LfsPointer.For(reference));
                    writer.WriteFlush();
                    writer.Flush();
                    ReadDelivery(reader.ReadTextList() ?? new List<string>(), reader, reference, tally);
                }
            }
            catch (Exception e) when (e is IOException or GitTheta.Core.Diagnostics.ThetaException)
            {
                // git-lfs ended, typically at an object the remote does not have; the caller restarts it for the rest.
            }
            finally
            {
                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                }

                process.WaitForExit();
            }

            var errors = stderr.GetAwaiter().GetResult().Trim();
            if (process.ExitCode != 0 && errors.Length > 0 && TransferOutput is null)
            {
                log($"git lfs: {errors.Split('\n')[^1]}");
            }
        }

        return true;
    }

    /// <summary>
    /// Asks for every object at once and lets git-lfs delay them, as git does on checkout: git-lfs then downloads them in
    /// batches, several at a time, instead of one request per object. Objects git-lfs never lists as available (the
    /// remote lacks them) are logged and left out; the smudge that needs one reports it.
    /// </summary>
    private void FetchDelayed(Queue<ObjectRef> remaining, Tally tally, PktLineWriter writer, PktLineReader reader)
    {
        var delayed = new Dictionary<string, ObjectRef>(StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var reference = remaining.Dequeue();
            var pathname = FetchPath + reference.Oid;
            writer.WriteText("command=smudge");
            writer.WriteText("pathname=" + pathname);
            writer.WriteText("can-delay=1");
            writer.WriteFlush();
            writer.WritePacket(LfsPointer.For(reference));
            writer.WriteFlush();
            writer.Flush();
            var status = reader.ReadTextList() ?? throw new IOException("git lfs ended.");
            if (status.Contains("status=delayed"))
            {
                delayed[pathname] = reference;
            }
            else
            {
                // Already in git-lfs's store, it answers at once.
                ReadDelivery(status, reader, reference, tally);
            }
        }

        while (delayed.Count > 0)
        {
            writer.WriteText("command=list_available_blobs");
            writer.WriteFlush();
            writer.Flush();
            var available = reader.ReadTextList() ?? throw new IOException("git lfs ended.");
            reader.ReadTextList();
            if (available.Count == 0)
            {
                break;
            }

            foreach (var line in available)
            {
                var pathname = line.StartsWith("pathname=", StringComparison.Ordinal) ? line["pathname=".Length..] : line;
                if (!delayed.Remove(pathname, out var reference))
                {
                    continue;
                }

                writer.WriteText("command=smudge");
                writer.WriteText("pathname=" + pathname);
                writer.WriteFlush();
                writer.WriteFlush();
                writer.Flush();
                ReadDelivery(reader.ReadTextList() ?? throw new IOException("git lfs ended."), reader, reference, tally);
            }
        }

        foreach (var reference in delayed.Values)
        {
            log($"git lfs could not fetch object {reference.Oid}.");
        }
    }

    /// <summary>The rest of git-lfs's answer to one smudge: on success its content (the object, now in git-lfs's store) is skipped and counted.</summary>
    private void ReadDelivery(List<string> status, PktLineReader reader, ObjectRef reference, Tally tally)
    {
        if (!status.Contains("status=success"))
        {
            log($"git lfs could not fetch object {reference.Oid}.");
            return;
        }

        new PktLineContentStream(reader).Drain();
        reader.ReadTextList();
        tally.Add(reference);
        Progress?.Report(tally.Now(finished: false));
    }

    /// <summary>Collects git-lfs's stderr, passing each line on to <see cref="TransferOutput"/> as it arrives.</summary>
    private Task<string> ReadMessages(StreamReader stderr) => Task.Run(() =>
    {
        var all = new StringBuilder();
        string? line;
        while ((line = stderr.ReadLine()) is not null)
        {
            all.Append(line).Append('\n');
            if (TransferOutput is { } output && !line.StartsWith(FetchHeading, StringComparison.Ordinal))
            {
                output(line);
            }
        }

        return all.ToString();
    });

    /// <summary>Objects and bytes delivered so far, across the restarts of git-lfs.</summary>
    private sealed class Tally(int total, long bytesTotal)
    {
        private int done;
        private long bytesDone;

        public void Add(ObjectRef reference)
        {
            done++;
            bytesDone += reference.Size;
        }

        public WorkProgress Now(bool finished) => new(done, total, bytesDone, bytesTotal, finished);
    }
}
