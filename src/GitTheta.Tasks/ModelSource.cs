namespace GitTheta.Tasks;

/// <summary>Where the bytes of a ThetaModel come from (the Source metadata of a resolved model).</summary>
public static class ModelSource
{
    /// <summary>Pinned to a Revision: materialized from the metadata committed there.</summary>
    public const string Revision = "Revision";

    /// <summary>The work-tree file is theta metadata (a clone without the filter): materialized from it.</summary>
    public const string WorkTreeMetadata = "WorkTreeMetadata";

    /// <summary>The work-tree file is the checkpoint itself: copied as it is.</summary>
    public const string WorkTreeFile = "WorkTreeFile";

    /// <summary>Not inside a git repository: copied as it is (GT1005).</summary>
    public const string NotInRepository = "NotInRepository";

    public static bool NeedsMaterialization(string source) => source is Revision or WorkTreeMetadata;
}
