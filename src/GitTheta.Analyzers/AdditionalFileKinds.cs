namespace GitTheta.Analyzers;

/// <summary>The values of <see cref="AnalyzerOptionKeys.FileKind"/>.</summary>
internal static class AdditionalFileKinds
{
    /// <summary>A model the project declares with a <c>ThetaModel</c> item, so git-theta versions it.</summary>
    public const string ThetaModel = "ThetaModel";

    /// <summary>A file under the project folder whose extension is a model extension.</summary>
    public const string ModelCandidate = "ModelCandidate";
}
