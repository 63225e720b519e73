using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Storage;

/// <summary>
/// The git-lfs local object store (<c>lfs/objects/aa/bb/&lt;oid&gt;</c>), written by the engine itself:
/// objects are content-addressed, written to a temp file and renamed, never overwritten, and verified when read.
/// </summary>
public sealed class LfsObjectStore
{
    public LfsObjectStore(string lfsRoot)
    {
        Root = lfsRoot;
        ObjectsDirectory = Path.Combine(lfsRoot, "objects");
        TempDirectory = Path.Combine(lfsRoot, "tmp");
        Verified = new VerificationLog(lfsRoot);
    }

    /// <summary>Which objects were hashed and found intact, and unchanged since.</summary>
    public VerificationLog Verified { get; }

    public string Root { get; }

    public string ObjectsDirectory { get; }

    public string TempDirectory { get; }

    public string PathOf(string oid)
    {
        if (!ObjectId.IsValid(oid))
        {
            throw new ThetaException(DiagnosticIds.MalformedMetadata, $"'{oid}' is not a SHA-256 object id.");
        }

        return Path.Combine(ObjectsDirectory, oid[..2], oid[2..4], oid);
    }

    public bool Contains(string oid) => File.Exists(PathOf(oid));

    public bool Contains(ObjectRef reference)
    {
        var info = new FileInfo(PathOf(reference.Oid));
        return info.Exists && info.Length == reference.Size;
    }

    /// <summary>
    /// Every object file in git-lfs's layout. Files elsewhere under objects/ (or not named by a valid oid) are not
    /// objects and are never listed, so nothing that only resembles the store is touched.
    /// </summary>
    public IEnumerable<StoredObject> EnumerateObjects()
    {
        if (!Directory.Exists(ObjectsDirectory))
        {
            yield break;
        }

        var root = new DirectoryInfo(ObjectsDirectory);
        var files = root.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true, AttributesToSkip = 0 });
        foreach (var file in files)
        {
            var oid = file.Name;
            if (ObjectId.IsValid(oid) && file.Directory is { } second && second.Name == oid[2..4]
                && second.Parent is { } first && first.Name == oid[..2]
                && string.Equals(first.Parent?.FullName.TrimEnd(Path.DirectorySeparatorChar), root.FullName.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                yield return new StoredObject(oid, file.FullName, file.Length, file.LastWriteTimeUtc);
            }
        }
    }

    /// <summary>The files in tmp/: objects being written now, or left behind by a process that died.</summary>
    public IEnumerable<FileInfo> EnumerateTempFiles() =>
        Directory.Exists(TempDirectory)
            ? new DirectoryInfo(TempDirectory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            : Enumerable.Empty<FileInfo>();

    public PendingObject Begin()
    {
        Directory.CreateDirectory(TempDirectory);
        var temp = Path.Combine(TempDirectory, $"theta-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        return new PendingObject(temp);
    }

    /// <summary>Moves a finished object into place; an object already present is kept and the temp file dropped.</summary>
    public ObjectRef Commit(PendingObject pending)
    {
        var reference = pending.Finish();
        var destination = PathOf(reference.Oid);
        if (File.Exists(destination))
        {
            File.Delete(pending.TempPath);
            return reference;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            File.Move(pending.TempPath, destination, overwrite: false);
            Verified.Record(reference.Oid, new FileInfo(destination));
        }
        catch (IOException) when (File.Exists(destination))
        {
            // Another process stored the same content first; content addressing makes theirs equal to ours.
            File.Delete(pending.TempPath);
        }

        return reference;
    }

    /// <summary>Moves a temp file whose content hash the caller computed into place.</summary>
    internal void CommitKnown(PendingObject pending, ObjectRef reference)
    {
        pending.Dispose();
        var destination = PathOf(reference.Oid);
        if (File.Exists(destination))
        {
            File.Delete(pending.TempPath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            File.Move(pending.TempPath, destination, overwrite: false);

            // The bytes were hashed as they were made: the new object starts out verified.
            Verified.Record(reference.Oid, new FileInfo(destination));
        }
        catch (IOException) when (File.Exists(destination))
        {
            File.Delete(pending.TempPath);
        }
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

    /// <param name="rehash">Hash the bytes even when the object was verified before and has not changed since.</param>
    public VerifyingReadStream OpenRead(string oid, string what, bool rehash = false)
    {
        var path = PathOf(oid);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            throw Missing(oid, what);
        }
        catch (DirectoryNotFoundException)
        {
            throw Missing(oid, what);
        }

        var info = new FileInfo(path);
        var trusted = !rehash && Verified.IsVerified(oid, info);
        return new VerifyingReadStream(file, oid, what, trusted ? null : () => Verified.Record(oid, info));
    }

    public byte[] ReadAll(string oid, string what)
    {
        using var stream = OpenRead(oid, what);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        stream.VerifyToEnd();
        return buffer.ToArray();
    }

    public static ThetaException Missing(string oid, string what) =>
        new(DiagnosticIds.MissingObject, $"{what}: object {oid} is not in the local store and could not be fetched; run 'git theta fetch' (or 'git lfs fetch') with the remote reachable, then check the file out again.");
}
