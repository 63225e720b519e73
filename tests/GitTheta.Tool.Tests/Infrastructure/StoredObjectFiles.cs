namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// Where a repository's objects live on disk: the canonical theta store (<c>.git/lfs/theta/objects/aa/oid</c>) and git-lfs's
/// store (<c>.git/lfs/objects</c>), which holds hard links of the objects a push uploaded. Making an object "missing" takes both.
/// </summary>
public static class StoredObjectFiles
{
    public static string ThetaObjects(this GitRepo repo) => Path.Combine(repo.Directory, ".git", "lfs", "theta", "objects");

    public static string ThetaTemp(this GitRepo repo) => Path.Combine(repo.Directory, ".git", "lfs", "theta", "tmp");

    /// <summary>The canonical file of an object: theta/objects/oid (docs/storage.md#the-local-store).</summary>
    public static string ObjectFile(this GitRepo repo, string oid) => Path.Combine(repo.ThetaObjects(), oid);

    /// <summary>git-lfs's name for an object.</summary>
    public static string LfsObjectFile(this GitRepo repo, string oid) => Path.Combine(repo.LfsObjects, oid[..2], oid[2..4], oid);

    /// <summary>Removes one object from both stores, as if it had never been downloaded.</summary>
    public static void DeleteObject(this GitRepo repo, string oid)
    {
        File.Delete(repo.ObjectFile(oid));

        // git-lfs's name exists once a push made it.
        if (File.Exists(repo.LfsObjectFile(oid)))
        {
            File.Delete(repo.LfsObjectFile(oid));
        }
    }

    /// <summary>Removes every object from both stores.</summary>
    public static void DeleteAllObjects(this GitRepo repo)
    {
        foreach (var directory in new[] { repo.ThetaObjects(), repo.LfsObjects })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The files in the theta store's temp folder (objects being written, or left by a process that died).</summary>
    public static IReadOnlyList<string> TempFiles(this GitRepo repo) =>
        Directory.Exists(repo.ThetaTemp()) ? Directory.GetFiles(repo.ThetaTemp(), "*", SearchOption.AllDirectories) : Array.Empty<string>();
}
