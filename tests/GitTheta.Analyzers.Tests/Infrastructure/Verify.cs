using GitTheta.Analyzers.Fixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer or the GT0004 fix over C# sources against a <see cref="ModelProject"/>, compiled against the
/// local .NET SDK's reference assemblies (<see cref="LocalReferenceAssemblies"/>: nothing is downloaded at run time).
/// </summary>
internal static class Verify
{
    /// <summary>
    /// The generated manifest class, as GitTheta.Sdk would generate it. Its name ends in .g.cs, so the analyzers treat it
    /// as generated code and leave its literal paths alone.
    /// </summary>
    public const string GeneratedManifestPath = "ThetaModels.g.cs";

    public static Task AnalyzerAsync<TAnalyzer>(string source, ModelProject project, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = LocalReferenceAssemblies.Assemblies,
        };
        test.TestState.AdditionalReferences.AddRange(LocalReferenceAssemblies.References);
        project.ApplyTo(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeAsync(string source, ModelProject project, params DiagnosticResult[] expected) =>
        AnalyzerAsync<ModelPathInCodeAnalyzer>(source, project, expected);

    /// <summary>
    /// Like <see cref="CodeAsync"/>, with <paramref name="librarySource"/> compiled as a separate project that the code
    /// references: its constants reach the code as symbols of another assembly, not as syntax of this compilation.
    /// </summary>
    public static Task CodeWithLibraryAsync(string source, string librarySource, ModelProject project, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<ModelPathInCodeAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = LocalReferenceAssemblies.Assemblies,
        };
        test.TestState.AdditionalReferences.AddRange(LocalReferenceAssemblies.References);
        project.ApplyTo(test.TestState);
        var library = new ProjectState("Lib", Microsoft.CodeAnalysis.LanguageNames.CSharp, "/Lib/", "cs");
        library.AdditionalReferences.AddRange(LocalReferenceAssemblies.References);
        test.TestState.AdditionalProjects.Add("Lib", library);
        library.Sources.Add(("/Lib/Paths.cs", librarySource));
        test.TestState.AdditionalProjectReferences.Add("Lib");
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFixAsync(string source, string fixedSource, string generatedManifest, ModelProject project)
    {
        var test = new CSharpCodeFixTest<ModelPathInCodeAnalyzer, UseGeneratedModelPathCodeFixProvider, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = LocalReferenceAssemblies.Assemblies,
        };
        test.TestState.AdditionalReferences.AddRange(LocalReferenceAssemblies.References);
        project.ApplyTo(test.TestState);
        test.TestState.Sources.Add((GeneratedManifestPath, generatedManifest));
        test.FixedState.Sources.Add((GeneratedManifestPath, generatedManifest));
        return test.RunAsync();
    }
}
