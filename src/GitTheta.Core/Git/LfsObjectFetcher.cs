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
    private readonly LfsObjectStore store;
    private readonly Lazy<bool> lfsInstalled;
    private readonly Lazy<LfsFetchFilter> fetchFilter;

    /// <summary>
    /// Objects git-lfs did not deliver in this process. They are asked for once, not again by every file that needs
    /// them: a checkout of 200 files from a remote that lacks them, or is down, would otherwise start git-lfs 200 more
    /// times, each failing the same way, and say so each time.
    /// </summary>
    private readonly HashSet<string> undelivered = new(StringComparer.Ordinal);

    /// <param name="store">The store git-lfs downloads into: objects whose canonical copy is there are never handed to git-lfs (given a pointer whose size differs from its file, git-lfs deletes the file), and what git-lfs downloads is adopted into it.</param>
    /// <param name="config">The repository's config as git resolves it (lfs.fetchinclude / lfs.fetchexclude): a clone's checkout then starts no git per setting.</param>
    public LfsObjectFetcher(string workingDirectory, Action<string> log, Func<string, string?> config, LfsObjectStore store)
    {
        this.workingDirectory = workingDirectory;
        this.log = log;
        this.store = store;
        // Asked only when git-lfs did not start: a clone's checkout should not pay a process to learn that it is there.
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
        lock (undelivered)
        {
            objects = objects.Where(o => !undelivered.Contains(o.Oid) && !File.Exists(store.PathOf(o.Oid))).DistinctBy(o => o.Oid).ToList();
        }

        // git-lfs stops at the first object the remote lacks; start it again for the rest, skipping that one.
        var remaining = new Queue<ObjectRef>(objects);
        var adoptions = new AdoptionQueue(store);
        var tally = new Tally(objects.Count, objects.Sum(o => o.Size), delivered => adoptions.Start(delivered.Oid));
        Progress?.Report(tally.Now(finished: false));
        var starts = 0;
        string? failureReason = null;
        try
        {
            while (remaining.Count > 0 && starts++ <= objects.Count)
            {
                // Once git-lfs is known to be missing, later fetches in this process say so without trying again.
                var outcome = lfsInstalled is { IsValueCreated: true, Value: false } ? Outcome.NotStarted : FetchUntilFailure(remaining, tally, ref failureReason);
                if (outcome == Outcome.NotStarted && !lfsInstalled.Value)
                {
                    // Said once, instead of git's "'lfs' is not a git command" page at every restart.
                    throw new ThetaException(
                        DiagnosticIds.GitLfsMissing,
                        $"git-lfs is not installed, so {objects.Count} parameter object(s) missing from the local store cannot be downloaded (first: {objects.First().Oid}); install it (https://git-lfs.com, or 'apt-get install git-lfs') and run the command again.");
                }

                if (outcome != Outcome.Ran)
                {
                    break;
                }
            }
        }
        finally
        {
            // Nothing goes on hashing in the background once this returns or throws.
            adoptions.WaitAll();
            Progress?.Report(tally.Now(finished: true));
        }

        // Hashed before it becomes canonical; a download that is not the object stays git-lfs's business.
        var missed = objects.Where(o => !adoptions.Adopted(o.Oid)).Select(o => o.Oid).ToList();

        if (missed.Count > 0)
        {
            lock (undelivered)
            {
                undelivered.UnionWith(missed);
            }

            // One line for the lot: a remote that is down fails every object the same way.
            log($"git lfs could not fetch {missed.Count} of {objects.Count} object(s) (first: {missed[0]}){(failureReason is null ? "." : ": " + failureReason)}");
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

    /// <summary>How one git-lfs process went.</summary>
    private enum Outcome
    {
        /// <summary>It answered the handshake; it may have stopped before the end of the queue.</summary>
        Ran,

        /// <summary>It never answered the handshake (not installed, or broken).</summary>
        NotStarted,

        /// <summary>No process could be started (git itself is missing).</summary>
        Failed,
    }

    /// <summary>Runs one git-lfs process over the queue.</summary>
    /// <param name="failureReason">Set to what git-lfs said went wrong, if it said so, for the one line about what did not come.</param>
    private Outcome FetchUntilFailure(Queue<ObjectRef> remaining, Tally tally, ref string? failureReason)
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
            return Outcome.Failed;
        }

        if (process is null)
        {
            return Outcome.Failed;
        }

        var answered = false;

        using (process)
        {
            var messages = new LfsMessageRelay(TransferOutput, FetchHeading);
            var stderr = ReadMessages(process.StandardError, messages);
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
                var capabilities = reader.ReadTextList() ?? throw new IOException("git lfs ended during the handshake.");
                answered = true;
                messages.Open();
                if (capabilities.Contains("capability=delay"))
                {
                    FetchDelayed(remaining, tally, writer, reader);
                }

                while (remaining.Count > 0)
                {
                    var reference = remaining.Dequeue();
                    AskToSmudge(writer, reference, canDelay: false);
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

            stderr.GetAwaiter().GetResult();
            if (TransferOutput is null)
            {
                // Shown live on a terminal; otherwise it explains the one line that names what did not come.
                failureReason = LfsMessageRelay.Reason(messages.All) ?? failureReason;
            }
        }

        return answered ? Outcome.Ran : Outcome.NotStarted;
    }

    /// <summary>
    /// Asks for every object at once and lets git-lfs delay them, as git does on checkout: git-lfs then downloads them in
    /// batches, several at a time, instead of one request per object. A path git-lfs lists as available is an object
    /// it has downloaded, verified and put in its store, so its content is never asked for: git-lfs would read the whole
    /// object back and send it down the pipe only to be dropped (a second pass over every downloaded byte). Once its
    /// queue is done git-lfs lists every path not asked for, failed ones included, so what the store holds decides
    /// which objects came; those it lacks are logged and left out, and the smudge that needs one reports it.
    /// </summary>
    private void FetchDelayed(Queue<ObjectRef> remaining, Tally tally, PktLineWriter writer, PktLineReader reader)
    {
        var delayed = new Dictionary<string, ObjectRef>(StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var reference = remaining.Dequeue();
            AskToSmudge(writer, reference, canDelay: true);
            var status = reader.ReadTextList() ?? throw new IOException("git lfs ended.");
            if (status.Contains("status=delayed"))
            {
                delayed[FetchPath + reference.Oid] = reference;
            }
            else
            {
                // Already in git-lfs's store, it answers at once.
                ReadDelivery(status, reader, reference, tally);
            }
        }

        var unlisted = new HashSet<string>(delayed.Keys, StringComparer.Ordinal);
        while (unlisted.Count > 0)
        {
            writer.WriteText("command=list_available_blobs");
            writer.WriteFlush();
            writer.Flush();
            var available = reader.ReadTextList() ?? throw new IOException("git lfs ended.");
            reader.ReadTextList();
            var listedNew = false;
            foreach (var line in available)
            {
                var pathname = line.StartsWith("pathname=", StringComparison.Ordinal) ? line["pathname=".Length..] : line;
                if (unlisted.Remove(pathname))
                {
                    listedNew = true;
                    CountIfStored(delayed[pathname], tally);
                }
            }

            if (!listedNew)
            {
                break;
            }
        }

        // In delayed mode git-lfs says nothing about a failed download; asking for the first missed object's content
        // makes it try once more in the open, so its error (remote lacks the object, remote unreachable) can be told.
        if (delayed.Values.FirstOrDefault(r => !File.Exists(store.LfsPathOf(r.Oid))) is { } firstMissed)
        {
            AskToSmudge(writer, firstMissed, canDelay: false);
            ReadDelivery(reader.ReadTextList() ?? throw new IOException("git lfs ended."), reader, firstMissed, tally);
        }
    }

    /// <summary>
    /// One smudge request for an object, under its made-up pathname and with its pointer as the content (also when a
    /// delayed one is collected: git-lfs smudges the pointer it is sent as the one it kept).
    /// </summary>
    private static void AskToSmudge(PktLineWriter writer, ObjectRef reference, bool canDelay)
    {
        writer.WriteText("command=smudge");
        writer.WriteText("pathname=" + FetchPath + reference.Oid);
        if (canDelay)
        {
            writer.WriteText("can-delay=1");
        }

        writer.WriteFlush();
        writer.WritePacket(LfsPointer.For(reference));
        writer.WriteFlush();
        writer.Flush();
    }

    /// <summary>Counts an object git-lfs listed when its store holds it (after its queue is done, git-lfs lists failures too).</summary>
    private void CountIfStored(ObjectRef reference, Tally tally)
    {
        if (File.Exists(store.LfsPathOf(reference.Oid)))
        {
            Count(reference, tally);
        }
    }

    /// <summary>An object git-lfs delivered: counted, reported, and its adoption started.</summary>
    private void Count(ObjectRef reference, Tally tally)
    {
        tally.Add(reference);
        Progress?.Report(tally.Now(finished: false));
    }

    /// <summary>
    /// The rest of git-lfs's answer to one smudge: its content (the object, now in git-lfs's store) is skipped and, when
    /// the status after it does not take the success back, counted. git-lfs says "success" before it has the object and
    /// "error" after the content when the download failed.
    /// </summary>
    private void ReadDelivery(List<string> status, PktLineReader reader, ObjectRef reference, Tally tally)
    {
        if (!status.Contains("status=success"))
        {
            return;
        }

        new PktLineContentStream(reader).Drain();
        var final = reader.ReadTextList() ?? throw new IOException("git lfs ended.");
        if (final.Contains("status=error") || final.Contains("status=abort"))
        {
            return;
        }

        Count(reference, tally);
    }

    /// <summary>Reads git-lfs's stderr line by line into the relay, which passes lines on once git-lfs has answered.</summary>
    private static Task ReadMessages(StreamReader stderr, LfsMessageRelay messages) => Task.Run(() =>
    {
        string? line;
        while ((line = stderr.ReadLine()) is not null)
        {
            messages.Add(line);
        }
    });

    /// <summary>Objects and bytes delivered so far, across the restarts of git-lfs; each one is also handed to <paramref name="delivered"/>.</summary>
    private sealed class Tally(int total, long bytesTotal, Action<ObjectRef> delivered)
    {
        private int done;
        private long bytesDone;

        public void Add(ObjectRef reference)
        {
            done++;
            bytesDone += reference.Size;
            delivered(reference);
        }

        public WorkProgress Now(bool finished) => new(done, total, bytesDone, bytesTotal, finished);
    }
}
