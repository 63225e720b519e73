using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GitTheta.Tasks.Tests.Infrastructure;

namespace GitTheta.Tasks.Tests;

/// <summary>What Directory.Build.props decides for every project: src/ rules by relative path, one project URL, one version.</summary>
public sealed partial class RepositoryConventionsTests : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), "gittheta-tasks-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Src_rules_follow_the_path_inside_the_repository_even_in_a_clone_under_a_src_folder()
    {
        // A clone at <temp>/home/src/clone: every project's absolute path contains /src/; only src/Lib is a src project.
        var clone = Path.Combine(scratch, "home", "src", "clone");
        Directory.CreateDirectory(clone);
        File.Copy(RepositoryFiles.Path("Directory.Build.props"), Path.Combine(clone, "Directory.Build.props"));
        var library = Probe(clone, "src/Lib/Lib.proj");
        var tests = Probe(clone, "tests/Lib.Tests/Lib.Tests.proj");
        var sample = Probe(clone, "samples/src/App/App.proj");

        Assert.Equal("true", EvaluateIsSrcProject(library));
        Assert.Equal(string.Empty, EvaluateIsSrcProject(tests));
        Assert.Equal(string.Empty, EvaluateIsSrcProject(sample));
    }

    [Fact]
    public void Every_diagnostic_help_link_starts_with_the_one_project_url()
    {
        var projectUrl = PropertyOf("GitThetaProjectUrl");
        Assert.Equal(projectUrl, PropertyOf("PackageProjectUrl").Replace("$(GitThetaProjectUrl)", projectUrl, StringComparison.Ordinal));
        var files = new[] { "src", "docs" }
            .SelectMany(d => Directory.EnumerateFiles(RepositoryFiles.Path(d), "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetExtension(f) is ".cs" or ".md" or ".props" or ".targets")
            .Append(RepositoryFiles.Path("README.md"));

        var links = files.SelectMany(f => DiagnosticLink().Matches(File.ReadAllText(f)).Select(m => (File: f, Link: m.Value))).ToList();

        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.True(l.Link.StartsWith(projectUrl + "/blob/main/docs/diagnostics/", StringComparison.Ordinal), $"{l.File}: {l.Link}"));
        Assert.StartsWith(projectUrl + "/", ThetaTask.HelpLinkBase, StringComparison.Ordinal);
    }

    [Fact]
    public void The_samples_name_the_version_of_Directory_Build_props()
    {
        var version = PropertyOf("Version");
        var globalJsons = Directory.EnumerateFiles(RepositoryFiles.Path("samples"), "global.json", SearchOption.AllDirectories).ToList();

        Assert.All(globalJsons, g => Assert.Contains($"\"GitTheta.Sdk\": \"{version}\"", File.ReadAllText(g)));
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string PropertyOf(string name) =>
        XDocument.Load(RepositoryFiles.Path("Directory.Build.props")).Descendants(name).Select(e => e.Value).Single();

    private static string Probe(string clone, string relative)
    {
        var project = Path.Combine(clone, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        File.WriteAllText(project, $"<Project><Import Project=\"{Path.Combine(clone, "Directory.Build.props")}\" /></Project>");
        return project;
    }

    private static string EvaluateIsSrcProject(string project)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(project)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "msbuild", project, "-nologo", "-getProperty:IsSrcProject" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + errors.Result);
        return output.Trim();
    }

    [GeneratedRegex(@"https?://[^\s""'<>()\]]+/docs/diagnostics/")]
    private static partial Regex DiagnosticLink();
}
