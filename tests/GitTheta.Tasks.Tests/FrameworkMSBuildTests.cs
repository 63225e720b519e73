using System.Diagnostics;
using GitTheta.Tasks.Tests.Infrastructure;

namespace GitTheta.Tasks.Tests;

/// <summary>
/// GitTheta.Sdk's targets under the .NET Framework MSBuild (Visual Studio), which cannot load the net8.0 tasks: the
/// condition on MSBuildRuntimeType is exercised through its test stand-in, by a real `dotnet msbuild` of a project
/// that imports the SDK's build/ props and targets from src/ and calls the target the compiler would follow.
/// </summary>
public sealed class FrameworkMSBuildTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "gittheta-tasks-tests", Guid.NewGuid().ToString("N"));

    public FrameworkMSBuildTests()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "app.proj"), $"""
            <Project>
              <Import Project="{RepositoryFiles.Path("src/GitTheta.Sdk/build/GitTheta.Sdk.props")}" />
              <ItemGroup>
                <ThetaModel Include="models/model.safetensors" />
              </ItemGroup>
              <Import Project="{RepositoryFiles.Path("src/GitTheta.Sdk/build/GitTheta.Sdk.targets")}" />
              <Target Name="BeforeCompile" />
              <!-- Not inside a repository, so a task that ran would say GT1001 or GT1005: none may run. -->
              <Target Name="Build" DependsOnTargets="BeforeCompile;GitThetaResolveModels" />
            </Project>
            """);
    }

    [Fact]
    public void The_NET_Framework_MSBuild_fails_the_build_with_GT1010_and_runs_no_task()
    {
        var (exitCode, output) = MSBuild("Build", "-p:_GitThetaTestMSBuildRuntimeType=Full");

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(output.Split('\n'), l => l.Contains("error GT1010", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(directory, "app.proj") + " : error GT1010: GitTheta.Sdk's tasks run on .NET, in the MSBuild of the .NET SDK, and this MSBuild (Full, as Visual Studio's) cannot load them", error);
        Assert.Contains("Build with 'dotnet build', or set GitThetaAllowFrameworkMSBuild=true", error);
        Assert.DoesNotContain("GT1001", output);
        Assert.DoesNotContain("GT1005", output);
    }

    [Fact]
    public void GitThetaAllowFrameworkMSBuild_makes_it_a_warning_and_a_build_without_the_models()
    {
        var (exitCode, output) = MSBuild("Build", "-p:_GitThetaTestMSBuildRuntimeType=Full", "-p:GitThetaAllowFrameworkMSBuild=true");

        Assert.Equal(0, exitCode);
        Assert.Contains("warning GT1010: GitTheta.Sdk's tasks run on .NET, in the MSBuild of the .NET SDK, not in this one (Full)", output);
        Assert.DoesNotContain("error", output);
    }

    [Fact]
    public void A_design_time_build_of_the_NET_Framework_MSBuild_says_nothing()
    {
        var (exitCode, output) = MSBuild("Build", "-p:_GitThetaTestMSBuildRuntimeType=Full", "-p:DesignTimeBuild=true");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("GT1010", output);
    }

    [Fact]
    public void The_NET_MSBuild_runs_the_tasks_and_the_NET_Framework_one_none()
    {
        // ConfigureThetaRepository needs no libgit2: outside a repository it only says there is nothing to configure.
        // It runs under the real MSBuildRuntimeType (Core), and is skipped, not failed on, under the Framework stand-in.
        var ran = "GitTheta: " + directory + " is not inside a git work tree; nothing to configure.";
        var tasks = $"-p:GitThetaTasksAssembly={typeof(ResolveThetaModels).Assembly.Location}";

        var framework = MSBuild("GitThetaConfigureRepository", tasks, "-p:_GitThetaTestMSBuildRuntimeType=Full", "-v:d");
        Assert.Equal(0, framework.ExitCode);
        Assert.DoesNotContain(ran, framework.Output);

        var core = MSBuild("GitThetaConfigureRepository", tasks, "-v:d");
        Assert.Equal(0, core.ExitCode);
        Assert.Contains(ran, core.Output);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private (int ExitCode, string Output) MSBuild(string target, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "msbuild", "app.proj", "-t:" + target, "-nologo", "-nodeReuse:false", "-v:m", "-clp:NoSummary" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + errors.Result);
    }
}
