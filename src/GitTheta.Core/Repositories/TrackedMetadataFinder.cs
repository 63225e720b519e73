using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Repositories;

/// <summary>Finds the theta metadata blobs in parts of history, and the objects they reference.</summary>
internal sealed class TrackedMetadataFinder
{
    private readonly GitRepository repository;
    private readonly string workTree;

    public TrackedMetadataFinder(ThetaRepository repository)
    {
        this.repository = repository.Git;
        workTree = repository.WorkTree ?? repository.GitDirectory;
    }

    /// <summary>Objects referenced by metadata blobs that the rev-list arguments reach (e.g. "abc123", "--not", "--remotes=origin").</summary>
    public IReadOnlyList<ObjectRef> ObjectsIn(IReadOnlyList<string> revListArguments)
    {
        var arguments = new List<string> { "rev-list", "--objects" };
        arguments.AddRange(revListArguments);
        var listing = GitCli.Run(workTree, arguments);
        listing.ThrowIfFailed(arguments);
        var blobsByPath = new List<(string Sha, string Path)>();
        foreach (var line in listing.Text.Split('\n'))
        {
            var space = line.IndexOf(' ');
            if (space == 40 || space == 64)
            {
                blobsByPath.Add((line[..space], line[(space + 1)..]));
            }
        }

        return CollectObjects(blobsByPath);
    }

    /// <summary>
    /// Objects that the metadata in <paramref name="revListArguments"/> references and the metadata at none of the
    /// <paramref name="knownRevisions"/> does: what a push of that range adds to a remote that has those revisions.
    /// A changed checkpoint's new metadata names every group; only the changed groups' objects are new.
    /// </summary>
    public IReadOnlyList<ObjectRef> ObjectsNewIn(IReadOnlyList<string> revListArguments, IEnumerable<string> knownRevisions)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var revision in knownRevisions)
        {
            foreach (var reference in ObjectsAt(revision))
            {
                known.Add(reference.Oid);
            }
        }

        return ObjectsIn(revListArguments).Where(o => !known.Contains(o.Oid)).ToList();
    }

    /// <summary>Objects referenced by the metadata of every tracked file in a commit's tree.</summary>
    public IReadOnlyList<ObjectRef> ObjectsAt(string revision) => CollectObjects(TreeBlobs(revision));

    /// <summary>Metadata of the tracked files in a commit's tree, by path.</summary>
    public IReadOnlyDictionary<string, ThetaMetadata> MetadataAt(string revision)
    {
        var result = new Dictionary<string, ThetaMetadata>(StringComparer.Ordinal);
        foreach (var (_, path, metadata) in ParseTracked(TreeBlobs(revision)))
        {
            result[path] = metadata;
        }

        return result;
    }

    private List<(string Sha, string Path)> TreeBlobs(string revision)
    {
        var listing = GitCli.Run(workTree, "ls-tree", "-r", "-z", revision);
        listing.ThrowIfFailed(new[] { "ls-tree", "-r", revision });
        var blobs = new List<(string Sha, string Path)>();
        foreach (var entry in listing.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = entry.IndexOf('\t');
            var fields = entry[..tab].Split(' ');
            if (fields.Length == 3 && fields[1] == "blob")
            {
                blobs.Add((fields[2], entry[(tab + 1)..]));
            }
        }

        return blobs;
    }

    private List<ObjectRef> CollectObjects(List<(string Sha, string Path)> blobs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ObjectRef>();
        foreach (var (_, _, metadata) in ParseTracked(blobs))
        {
            foreach (var reference in metadata.Objects)
            {
                if (seen.Add(reference.Oid))
                {
                    result.Add(reference);
                }
            }
        }

        return result;
    }

    private IEnumerable<(string Sha, string Path, ThetaMetadata Metadata)> ParseTracked(List<(string Sha, string Path)> blobs)
    {
        // Attributes are not consulted: a revision's own .gitattributes may differ from the work tree's (or be absent
        // in a --no-checkout clone). Metadata is recognised by its content, after a cheap size check.
        foreach (var (sha, path) in blobs)
        {
            ThetaMetadata? metadata;
            try
            {
                metadata = repository.ReadMetadataBlob(sha, path);
            }
            catch (Diagnostics.ThetaException)
            {
                continue;
            }

            if (metadata is not null)
            {
                yield return (sha, path, metadata);
            }
        }
    }
}
