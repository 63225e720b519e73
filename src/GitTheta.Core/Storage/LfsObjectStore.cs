using System.Security.Cryptography;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Storage;

/// <summary>
/// The local object store, and the one owner of where objects live.
/// <para>
/// The canonical copy of every object git-theta writes is in the theta store (<c>&lt;lfs root&gt;/theta/objects/&lt;oid&gt;</c>;
/// objects that earlier versions wrote in <c>aa/bb/&lt;oid&gt;</c> there are read where they are), where no git-lfs command looks: git-lfs does not know that theta metadata references these objects, so
/// <c>git lfs prune</c> would delete every one of them from its own store. An object gets a hard link in the git-lfs
/// store (<c>&lt;lfs root&gt;/objects/aa/bb/&lt;oid&gt;</c>, no second copy on disk) when a push needs it, because that is
/// where <c>git lfs push</c> uploads from; git-lfs also downloads there. Losing the git-lfs name loses nothing: it is
/// made again before a push. Objects that git-lfs downloaded (or that an older git-theta wrote there) are adopted into the
/// theta store once their bytes hash to their oid.
/// </para>
/// Objects are content-addressed, written to a temp file and renamed, never overwritten, and hashed on every read.
/// <para>
/// One folder, not git-lfs's tree of 65,536: a git add of many small checkpoints made a new folder (or two) for nearly
/// every object, and creating folders was most of its file-system work (on ext4 a folder costs several times a file).
/// With 256 buckets it still made one per new object until they filled up; file systems git-theta runs on index large
/// folders (ext4 htree, NTFS, APFS), so a lookup does not slow down with the number of objects.
/// </para>
/// </summary>
internal sealed class LfsObjectStore : IObjectReader
{
    private readonly object sweepGate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> knownDirectories = new(StringComparer.Ordinal);
    private bool swept;

    /// <summary>A store whose theta objects live in <c>&lt;lfsRoot&gt;/theta</c>.</summary>
    public LfsObjectStore(string lfsRoot)
    {
        Root = lfsRoot;
        ThetaRoot = Path.Combine(lfsRoot, "theta");
        ObjectsDirectory = Path.Combine(ThetaRoot, "objects");
        LfsObjectsDirectory = Path.Combine(lfsRoot, "objects");
        TempDirectory = Path.Combine(ThetaRoot, "tmp");
    }

    /// <summary>The git-lfs storage folder (<c>.git/lfs</c>, or <c>lfs.storage</c>).</summary>
    public string Root { get; }

    /// <summary>The theta store's folder, inside <see cref="Root"/> so that hard links between the two always work.</summary>
    public string ThetaRoot { get; }

    /// <summary>Where the canonical copies are.</summary>
    public string ObjectsDirectory { get; }

    /// <summary>git-lfs's own object folder: the transport copies.</summary>
    public string LfsObjectsDirectory { get; }

    public string TempDirectory { get; }

    /// <summary>The canonical file of an object: where it is, else where it will be written.</summary>
    public string PathOf(string oid)
    {
        var path = FlatPath(oid);
        return File.Exists(path) || !File.Exists(LegacyPathOf(oid)) ? path : LegacyPathOf(oid);
    }

    /// <summary>The file git-lfs reads and writes for an object.</summary>
    public string LfsPathOf(string oid) => Layout(LfsObjectsDirectory, oid);

    /// <summary>True when the object is stored here (in either store), whatever its size.</summary>
    public bool Contains(string oid) => File.Exists(PathOf(oid)) || File.Exists(LfsPathOf(oid));

    /// <summary>
    /// True when the object is here with the size the reference names (or travels inline in the metadata), false when it is not here at all.
    /// An object that is here with another size means the reference is wrong, not the object: that fails with GT2024
    /// and changes nothing, so no caller goes on to "fetch" it (git-lfs, given a pointer with the wrong size, deletes
    /// the good file).
    /// </summary>
    /// <param name="what">What needs the object, for the message (file and group).</param>
    public bool Contains(ObjectRef reference, string? what = null)
    {
        if (reference.IsInline)
        {
            return true;
        }

        // One stat per place the object can be (a clean asks this of every object it makes).
        var canonical = new FileInfo(FlatPath(reference.Oid));
        if (!canonical.Exists)
        {
            canonical = new FileInfo(LegacyPathOf(reference.Oid));
        }

        if (canonical.Exists)
        {
            return canonical.Length == reference.Size ? true : throw SizeMismatch(reference, canonical.Length, what);
        }

        var lfs = new FileInfo(LfsPathOf(reference.Oid));
        if (!lfs.Exists)
        {
            return false;
        }

        // A file git-lfs downloaded or an older git-theta wrote: it becomes canonical only if its bytes are the object.
        if (!Adopt(reference.Oid))
        {
            // Not the object (damaged, or half written by a tool that died): git-lfs may replace it.
            return false;
        }

        return lfs.Length == reference.Size ? true : throw SizeMismatch(reference, lfs.Length, what);
    }

    /// <summary>
    /// Makes the git-lfs store's copy of an object canonical when its bytes hash to the oid (a hard link, or a copy
    /// where links are refused). True when the theta store now holds the object.
    /// </summary>
    public bool Adopt(string oid)
    {
        var canonical = PathOf(oid);
        if (File.Exists(canonical))
        {
            return true;
        }

        var lfs = LfsPathOf(oid);
        try
        {
            using (var file = new FileStream(lfs, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20))
            {
                if (HashOf(file) != oid)
                {
                    return false;
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(canonical)!);
            if (!HardLink.TryCreate(lfs, canonical) && !File.Exists(canonical))
            {
                CopyInto(lfs, canonical);
            }
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }

        return File.Exists(canonical);
    }

    /// <summary>
    /// Gives git-lfs its copy of an object before an upload (git lfs prune may have removed it); false when the object
    /// is in neither store.
    /// </summary>
    public bool EnsureLfsCopy(string oid)
    {
        var lfs = LfsPathOf(oid);
        if (File.Exists(lfs))
        {
            return true;
        }

        var canonical = PathOf(oid);
        if (!File.Exists(canonical))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(lfs)!);
        if (!HardLink.TryCreate(canonical, lfs) && !File.Exists(lfs))
        {
            CopyInto(canonical, lfs);
        }

        return File.Exists(lfs);
    }

    /// <summary>
    /// Every object of the theta store (oid, then the aa/bb/oid of earlier versions), then every file of the git-lfs
    /// store that is not one (objects git-lfs manages, or written by an older git-theta). Files not named by a valid oid
    /// in one of those layouts are not objects and are never listed, so nothing that only resembles the store is touched.
    /// </summary>
    public IEnumerable<StoredObject> EnumerateObjects()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var found in EnumerateLayout(ObjectsDirectory, flatToo: true))
        {
            if (seen.Add(found.Oid))
            {
                yield return found;
            }
        }

        foreach (var found in EnumerateLayout(LfsObjectsDirectory, flatToo: false))
        {
            if (!seen.Contains(found.Oid))
            {
                yield return found;
            }
        }
    }

    /// <summary>Deletes every name of an object (it must be unreferenced: only gc calls this).</summary>
    public void Delete(string oid)
    {
        foreach (var path in new[] { LfsPathOf(oid), FlatPath(oid), LegacyPathOf(oid) })
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>The files in tmp/: objects being written now, or left behind by a process that died.</summary>
    public IEnumerable<FileInfo> EnumerateTempFiles() =>
        Directory.Exists(TempDirectory)
            ? new DirectoryInfo(TempDirectory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            : Enumerable.Empty<FileInfo>();

    /// <summary>Write-behind shared by every clean of this process that asks for it (see <see cref="IO.WrittenPages"/>).</summary>
    public IO.WrittenPages WrittenPages { get; set; } = new();

    /// <summary>
    /// Whether an object read from disk (not from the page cache) has its pages released as it is read
    /// (<see cref="IO.ColdReadStream"/>), the read side of <c>theta.writeBehind</c>.
    /// </summary>
    public bool ReleaseColdReads { get; set; } = true;

    /// <param name="writtenPages">Write-behind for the temp file's pages, or null to leave them to the page cache.</param>
    public PendingObject Begin(IO.WrittenPages? writtenPages = null)
    {
        SweepDeadTempFiles();
        var temp = Path.Combine(TempDirectory, TempFileOwner.NewFileName());
        try
        {
            EnsureDirectory(TempDirectory);
            return new PendingObject(temp, writtenPages);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed since this process made it (gc, or a user cleaning up): make it again.
            knownDirectories.TryRemove(TempDirectory, out _);
            EnsureDirectory(TempDirectory);
            return new PendingObject(temp, writtenPages);
        }
    }

    /// <summary>Moves a finished object into place; an object already present is kept and the temp file dropped.</summary>
    public ObjectRef Commit(PendingObject pending)
    {
        var reference = pending.Finish();
        Place(pending, reference.Oid);
        return reference;
    }

    /// <summary>Moves a temp file whose content hash the caller computed into place.</summary>
    internal void CommitKnown(PendingObject pending, ObjectRef reference)
    {
        pending.Dispose();
        Place(pending, reference.Oid);
    }

    public void Discard(PendingObject pending)
    {
        pending.Dispose();
        try
        {
            File.Delete(pending.TempPath);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stores a small object held in memory.</summary>
    public ObjectRef Put(ReadOnlySpan<byte> bytes)
    {
        using var pending = Begin();
        try
        {
            pending.Write(bytes);
            return Commit(pending);
        }
        catch
        {
            Discard(pending);
            throw;
        }
    }

    /// <inheritdoc/>
    public VerifyingReadStream OpenRead(ObjectRef reference, string what) =>
        reference.Inline is { } bytes
            ? new VerifyingReadStream(new MemoryStream(bytes, writable: false), reference.Oid, what, "restore the file's metadata from a good commit")
            : OpenRead(reference.Oid, what);

    /// <summary>Opens an object; every byte read is hashed, and the stream fails with GT2008 at its end if the bytes are not the object.</summary>
    public VerifyingReadStream OpenRead(string oid, string what)
    {
        var path = PathOf(oid);
        if (!File.Exists(path) && File.Exists(LfsPathOf(oid)) && !Adopt(oid))
        {
            // Only git-lfs's copy is here and it is not the object: read it anyway, so the read fails as corrupt.
            path = LfsPathOf(oid);
        }

        FileStream file;
        try
        {
            // Objects are read front to back once: ask the kernel for a larger read-ahead.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw Missing(oid, what);
        }
        catch (DirectoryNotFoundException)
        {
            throw Missing(oid, what);
        }

        return new VerifyingReadStream(ReleaseColdReads ? IO.ColdReadStream.Over(file) : file, oid, what, CorruptRemedy(oid));
    }

    public byte[] ReadAll(string oid, string what)
    {
        using var stream = OpenRead(oid, what);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        stream.VerifyToEnd();
        return buffer.ToArray();
    }

    /// <summary>What to do about a corrupt object: both of its names must go before it can be fetched again.</summary>
    public string CorruptRemedy(string oid) =>
        $"delete {PathOf(oid)} and {LfsPathOf(oid)}, then run 'git theta fetch' to download it again (or restore it from a clone that has it)";

    public static ThetaException Missing(string oid, string what) =>
        new(DiagnosticIds.MissingObject, $"{what}: object {oid} is not in the local store and could not be fetched; run 'git theta fetch' (or 'git lfs fetch') with the remote reachable, then check the file out again.");

    public static ThetaException SizeMismatch(ObjectRef reference, long actual, string? what) =>
        new(
            DiagnosticIds.ObjectSizeMismatch,
            $"{(what is null ? string.Empty : what + ": ")}the metadata names object {reference.Oid} with size {reference.Size}, but the stored object is {actual} bytes; the metadata is wrong, not the object (nothing in the store was changed). Restore the file's metadata from a good commit ('git checkout <good commit> -- <file>').");

    private static string Layout(string directory, string oid)
    {
        Validate(oid);
        return Path.Combine(directory, oid[..2], oid[2..4], oid);
    }

    private static void Validate(string oid)
    {
        if (!ObjectId.IsValid(oid))
        {
            throw new ThetaException(DiagnosticIds.MalformedMetadata, $"'{oid}' is not a SHA-256 object id.");
        }
    }

    /// <summary>Where git-theta writes an object: theta/objects/oid.</summary>
    private string FlatPath(string oid)
    {
        Validate(oid);
        return Path.Combine(ObjectsDirectory, oid);
    }

    /// <summary>Where git-theta 1.0 wrote it: theta/objects/aa/bb/oid (read, never written).</summary>
    private string LegacyPathOf(string oid) => Layout(ObjectsDirectory, oid);

    /// <summary>
    /// The objects under <paramref name="directory"/> in aa/bb/oid, and right in it too when <paramref name="flatToo"/>,
    /// in one walk of the folders (an object in both shows up twice).
    /// </summary>
    private static IEnumerable<StoredObject> EnumerateLayout(string directory, bool flatToo)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var root = new DirectoryInfo(directory).FullName.TrimEnd(Path.DirectorySeparatorChar);
        var files = new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true, AttributesToSkip = 0 });
        foreach (var file in files)
        {
            var oid = file.Name;
            if (!ObjectId.IsValid(oid) || file.Directory is not { } folder)
            {
                continue;
            }

            // oid right in the root, or aa/bb/oid with the folder named aa right in the root.
            bool IsRoot(DirectoryInfo? candidate) =>
                candidate is not null && string.Equals(candidate.FullName.TrimEnd(Path.DirectorySeparatorChar), root, StringComparison.Ordinal);
            if ((flatToo && IsRoot(folder)) || (folder.Name == oid[2..4] && folder.Parent is { } bucket && bucket.Name == oid[..2] && IsRoot(bucket.Parent)))
            {
                yield return new StoredObject(oid, file.FullName, file.Length, file.LastWriteTimeUtc);
            }
        }
    }

    private static string HashOf(Stream stream) => Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();

    /// <summary>Copies through a temp name and a rename, so a reader never sees half an object.</summary>
    private static void CopyInto(string source, string destination)
    {
        var temp = $"{destination}.{TempFileOwner.NewFileName()}";
        try
        {
            File.Copy(source, temp);
            File.Move(temp, destination, overwrite: false);
        }
        catch (IOException) when (File.Exists(destination))
        {
            // Another process placed the same content first.
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private void Place(PendingObject pending, string oid)
    {
        var destination = FlatPath(oid);
        var moved = false;
        // The move itself refuses an existing destination (caught below); only the old layout needs a look first.
        if (!File.Exists(LegacyPathOf(oid)))
        {
            try
            {
                MoveInto(pending.TempPath, destination);
                moved = true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                // Another process stored the same content first; content addressing makes theirs equal to ours.
            }
        }

        if (!moved)
        {
            File.Delete(pending.TempPath);
        }

        // git-lfs's name for the object (what git lfs push reads) is made by the push that needs it (EnsureLfsCopy), not
        // here: linking every new object at once cost two more folders and a link per object, the larger share of the
        // file-system work of a git add of many small checkpoints.
    }

    /// <summary>Renames a temp file to its object name, making the object's folder when it is not there (any more).</summary>
    private void MoveInto(string temp, string destination)
    {
        var folder = Path.GetDirectoryName(destination)!;
        EnsureDirectory(folder);
        try
        {
            ExclusiveRename.Move(temp, destination);
        }
        catch (DirectoryNotFoundException) when (File.Exists(temp))
        {
            // The folder was removed since this process made it (gc removes emptied folders).
            knownDirectories.TryRemove(folder, out _);
            EnsureDirectory(folder);
            ExclusiveRename.Move(temp, destination);
        }
    }

    /// <summary>
    /// Creates a folder of the store once per process: a git add of many small files asked the file system for the same
    /// few folders thousands of times. A folder removed later is made again by the callers that find it gone.
    /// </summary>
    private void EnsureDirectory(string folder)
    {
        if (knownDirectories.ContainsKey(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        knownDirectories.TryAdd(folder, true);
    }

    /// <summary>
    /// Once per process, before its first write: removes the temp files of processes of this machine that died while
    /// writing (a killed <c>git add</c>), never those of a live process.
    /// </summary>
    private void SweepDeadTempFiles()
    {
        lock (sweepGate)
        {
            if (swept)
            {
                return;
            }

            swept = true;
        }

        foreach (var file in EnumerateTempFiles())
        {
            if (TempFileOwner.IsLeftByDeadProcess(file.Name))
            {
                try
                {
                    file.Delete();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
