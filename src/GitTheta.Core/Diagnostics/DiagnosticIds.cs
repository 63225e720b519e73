namespace GitTheta.Core.Diagnostics;

/// <summary>
/// Every diagnostic code the product emits, in one place so that codes are never reused.
/// GT0xxx: Roslyn analyzers. GT1xxx: MSBuild targets and tasks. GT2xxx: the git-theta tool.
/// Each code has a page in docs/diagnostics/&lt;code&gt;.md.
/// </summary>
/// <remarks>This file is also compiled into GitTheta.Analyzers (netstandard2.0): constants only.</remarks>
internal static class DiagnosticIds
{
    // Analyzers (GT0xxx)
    public const string UndeclaredModelPath = "GT0001";
    public const string UndeclaredModelFile = "GT0002";
    public const string AbsoluteModelPath = "GT0003";
    public const string UseGeneratedModelPath = "GT0004";

    // The tool (GT2xxx)
    public const string UnexpectedError = "GT2000";
    public const string NotAGitRepository = "GT2001";
    public const string InvalidCheckpoint = "GT2002";
    public const string TruncatedCheckpoint = "GT2003";
    public const string UnsupportedDType = "GT2004";
    public const string UnknownFormat = "GT2005";
    public const string MalformedMetadata = "GT2006";
    public const string MissingObject = "GT2007";
    public const string CorruptObject = "GT2008";
    public const string AttributeConflict = "GT2009";
    public const string InvalidArguments = "GT2010";
    public const string GitFailed = "GT2011";
    public const string GitLfsMissing = "GT2012";
    public const string FilterProtocolError = "GT2013";
    public const string InvalidConfiguration = "GT2014";
    public const string PathNotTracked = "GT2015";
    public const string UnknownUpdateType = "GT2016";
    public const string MergeConflict = "GT2017";
    public const string PushFailed = "GT2018";
    public const string InvalidUpdateData = "GT2019";
    public const string NotFoundAtRevision = "GT2020";
    public const string NotThetaMetadata = "GT2021";
    public const string GcReferenceScanFailed = "GT2022";
    public const string IoFailure = "GT2023";
    public const string ObjectSizeMismatch = "GT2024";
    public const string UpdateChainTooDeep = "GT2025";
    public const string WouldOverwriteFile = "GT2026";
    public const string MigrateRefused = "GT2027";
    public const string LfsObjectUnavailable = "GT2028";
    public const string PythonGitThetaMetadata = "GT2029";
    public const string PeftAdapterUnusable = "GT2030";
    public const string ModuleGroupMismatch = "GT2034";
    public const string ModuleStateMismatch = "GT2035";
    public const string ShardIndexInvalid = "GT2036";
    public const string ShardIndexMismatch = "GT2037";

    // MSBuild targets and tasks of GitTheta.Sdk (GT1xxx)
    public const string ModelFileMissing = "GT1001";
    public const string ModelRevisionUnknown = "GT1002";
    public const string ModelObjectMissing = "GT1003";
    public const string ModelNotTracked = "GT1004";
    public const string ModelNotInRepository = "GT1005";
    public const string ModelMaterializationFailed = "GT1006";
    public const string ModelVerificationFailed = "GT1007";
    public const string ModelConflict = "GT1008";
    public const string RepositoryConfigurationFailed = "GT1009";
    public const string TasksUnavailable = "GT1010";
    public const string ModelContentUnresolved = "GT1011";
    public const string FilterCommandUnavailable = "GT1012";
}
