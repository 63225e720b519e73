using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>The one check that metadata and the local store agree on object sizes, before anything acts on either.</summary>
internal static class StoredSizes
{
    /// <summary>
    /// Fails with GT2024, naming the group, when an object the metadata names is here under another size; objects that
    /// are not here are fine. Run before fetching: git-lfs, handed a pointer with the wrong size, deletes the good file.
    /// </summary>
    public static void Check(ThetaMetadata metadata, LfsObjectStore store, string path)
    {
        store.Contains(metadata.Container, $"{path}: checkpoint container");
        foreach (var (name, entry) in metadata.Parameters)
        {
            foreach (var reference in entry.Objects)
            {
                store.Contains(reference, $"{path}: parameter '{name}'");
            }
        }
    }
}
