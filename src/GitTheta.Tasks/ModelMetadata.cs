namespace GitTheta.Tasks;

/// <summary>The metadata names of ThetaModel items, as users write them and as the tasks hand them on.</summary>
internal static class ModelMetadata
{
    // Declared on <ThetaModel> by users.
    public const string Revision = "Revision";
    public const string Format = "Format";
    public const string Link = "Link";
    public const string Name = "Name";
    public const string CopyToOutputDirectory = "CopyToOutputDirectory";
    public const string CopyToPublishDirectory = "CopyToPublishDirectory";

    // Added by ResolveThetaModels.
    public const string ProjectPath = "ProjectPath";
    public const string TargetPath = "TargetPath";
    public const string RepositoryRoot = "RepositoryRoot";
    public const string RepositoryPath = "RepositoryPath";
    public const string Commit = "Commit";
    public const string MetadataOid = "MetadataOid";
    public const string ParameterCount = "ParameterCount";
    public const string CheckpointFormat = "CheckpointFormat";
    public const string Source = "Source";
    public const string SourceFile = "SourceFile";
    public const string MaterializedFile = "MaterializedFile";
    public const string StampFile = "StampFile";
    public const string MemberName = "MemberName";

    // Set by ModelFolder on each file of a folder: the folder's Name, which prefixes the file's member name.
    public const string FolderName = "FolderName";
    public const string ModelFile = "ModelFile";

    // The object a git-lfs pointer names, for a model whose Source is LfsPointer.
    public const string LfsOid = "LfsOid";
    public const string LfsSize = "LfsSize";
}
