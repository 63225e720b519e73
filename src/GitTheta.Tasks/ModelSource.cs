namespace GitTheta.Tasks;

/// <summary>Where the bytes of a ThetaModel come from (the Source metadata of a resolved model).</summary>
internal static class ModelSource
{
    /// <summary>Pinned to a Revision: materialized from the metadata committed there.</summary>
    public const string Revision = "Revision";

    /// <summary>The work-tree file is theta metadata (a clone without the filter): materialized from it.</summary>
    public const string WorkTreeMetadata = "WorkTreeMetadata";

    /// <summary>The work-tree file is the checkpoint itself: copied as it is.</summary>
    public const string WorkTreeFile = "WorkTreeFile";

    /// <summary>
    /// A git-lfs pointer (in the work tree, or in the pinned Revision): the content it names is written into obj/ from
    /// git-lfs's store or through git-lfs, never the pointer itself (GT1011 when it cannot be had).
    /// </summary>
    public const string LfsPointer = "LfsPointer";

    /// <summary>Not inside a git repository: copied as it is (GT1005).</summary>
    public const string NotInRepository = "NotInRepository";

    public static bool NeedsMaterialization(string source) => source is Revision or WorkTreeMetadata or LfsPointer;
}
