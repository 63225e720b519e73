using System.Diagnostics;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Real TorchSharp for the tests: the environment eng/torchsharp-native.sh prints (TorchSharp's native bridge needs a
/// newer libstdc++ than Debian 12's; see tests/fixtures/torchsharp/README.md), and the programs that run it. Only
/// the process that runs TorchSharp gets that environment. The build and the script run with the test process's own
/// environment (its HOME holds the NuGet cache with libtorch and the script's cache), never the sandbox's.
/// </summary>
internal static class TorchSharpNativeRuntime
{
    private static readonly Lazy<IReadOnlyDictionary<string, string?>> EnvironmentLazy = new(LoadEnvironment);
    /// <summary>The sample and the probe share GitTheta.TorchSharp's build output: one build at a time.</summary>
    private static readonly object BuildLock = new();
    private static readonly Lazy<string> SampleLazy = new(() => Build("samples/TorchSharpFineTune/TorchSharpFineTune.csproj"));
    private static readonly Lazy<string> ProbeLazy = new(() => Build("tests/TorchSharpLoadProbe/TorchSharpLoadProbe.csproj"));

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(FormatFixtures.Root, "..", ".."));

    /// <summary>LD_LIBRARY_PATH and LD_PRELOAD as the script sets them (empty when the system libstdc++ suffices).</summary>
    public static IReadOnlyDictionary<string, string?> Environment => EnvironmentLazy.Value;

    /// <summary>The built samples/TorchSharpFineTune assembly.</summary>
    public static string SampleAssembly => SampleLazy.Value;

    /// <summary>The built tests/TorchSharpLoadProbe assembly.</summary>
    public static string ProbeAssembly => ProbeLazy.Value;

    private static IReadOnlyDictionary<string, string?> LoadEnvironment()
    {
        var script = Path.Combine(RepositoryRoot, "eng", "torchsharp-native.sh");
        var output = Run("bash", RepositoryRoot, "-c", $"set -e; eval \"$(bash '{script}')\"; printf '%s\\n%s\\n' \"${{LD_LIBRARY_PATH:-}}\" \"${{LD_PRELOAD:-}}\"");
        var lines = output.Split('\n');
        return new Dictionary<string, string?>
        {
            ["LD_LIBRARY_PATH"] = lines[0].Length > 0 ? lines[0] : null,
            ["LD_PRELOAD"] = lines[1].Length > 0 ? lines[1] : null,
        };
    }

    /// <summary>Builds a project of the repository; returns its assembly.</summary>
    private static string Build(string relativeProject)
    {
        var name = Path.GetFileNameWithoutExtension(relativeProject);

        // Under artifacts/ (ignored by git), reused by the next run: no temp folder left behind.
        var output = Path.Combine(RepositoryRoot, "artifacts", "tests", name);
        lock (BuildLock)
        {
            Run("dotnet", RepositoryRoot, "build", Path.Combine(RepositoryRoot, relativeProject), "-c", "Release", "-o", output, "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        }

        return Path.Combine(output, name + ".dll");
    }

    private static string Run(string file, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output}\n{error.Result}");
        }

        return output;
    }
}
