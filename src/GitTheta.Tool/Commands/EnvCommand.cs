using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// <c>git theta env</c>, git-theta's <c>git lfs env</c>: versions, drivers and whether they start, the hook, the
/// store, the remotes and their LFS endpoints, and every setting with where its value came from.
/// </summary>
internal static partial class EnvCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON document." };
        var command = new Command("env", "Show the versions, configuration, store, remotes and effective settings git-theta runs with (for bug reports).");
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var report = Collect(Environment.CurrentDirectory);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, ReportJson.Default.EnvReport));
            }
            else
            {
                Print(report);
            }

            return ExitCode.Success;
        }));
        return command;
    }

    private static EnvReport Collect(string directory)
    {
        var lfsVersion = GitCli.Run(directory, "lfs", "version");
        var gitDirectory = GitCli.Run(directory, "rev-parse", "--path-format=absolute", "--git-common-dir");
        var inRepository = gitDirectory.Succeeded;
        var lfsEnv = lfsVersion.Succeeded && inRepository ? GitCli.Run(directory, "lfs", "env").Text : string.Empty;
        string? store = inRepository ? Path.Combine(gitDirectory.Text.Trim(), "lfs") : null;
        return new EnvReport(
            new Versions(CommandTree.Version, FirstLine(GitCli.Run(directory, "version")), lfsVersion.Succeeded ? FirstLine(lfsVersion) : null, Runtime()),
            inRepository ? gitDirectory.Text.Trim() : null,
            Drivers(directory),
            inRepository ? Hook(directory) : null,
            store,
            store is not null && Directory.Exists(store) ? Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0,
            inRepository ? Remotes(directory, lfsEnv) : Array.Empty<RemoteInfo>(),
            Settings(directory));
    }

    /// <summary>The .NET runtime, and "native" for the ahead-of-time compiled executable of the linux-x64 package.</summary>
    private static string Runtime() =>
        RuntimeInformation.FrameworkDescription + (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? string.Empty : ", native");

    private static IReadOnlyList<DriverInfo> Drivers(string directory) =>
        DriverConfig.Entries("git-theta").Where(e => e.Key != "merge.theta.name" && e.Key != "filter.theta.required").Select(e =>
        {
            var value = Config(directory, e.Key);
            var verb = e.Value.Split(' ')[1];
            var self = value is null ? null : value[..Math.Max(0, value.IndexOf(" " + verb, StringComparison.Ordinal))];
            return new DriverInfo(e.Key, value, self is { Length: > 0 } && Starts(directory, self));
        }).ToList();

    /// <summary>Whether the configured command runs at all: its '--version' answers, through the shell git uses for drivers.</summary>
    private static bool Starts(string directory, string command)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command + " --version");
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static HookInfo Hook(string directory)
    {
        var path = GitCli.Run(directory, "rev-parse", "--path-format=absolute", "--git-path", "hooks/pre-push").Text.Trim();
        var exists = File.Exists(path);
        return new HookInfo(path, exists, exists && File.ReadAllText(path).Contains("git-theta", StringComparison.Ordinal));
    }

    private static IReadOnlyList<RemoteInfo> Remotes(string directory, string lfsEnv)
    {
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        string? defaultEndpoint = null;
        foreach (var line in lfsEnv.Split('\n'))
        {
            // "Endpoint=<url> (auth=none)" for the default remote, "Endpoint (<remote>)=<url> ..." for the others.
            if (!line.StartsWith("Endpoint", StringComparison.Ordinal) || line.IndexOf('=') is var equals && equals < 0)
            {
                continue;
            }

            var url = line[(equals + 1)..].Split(' ')[0];
            var name = line[..equals];
            if (name == "Endpoint")
            {
                defaultEndpoint = url;
            }
            else if (name.IndexOf('(') is var open and >= 0 && name.IndexOf(')') is var close && close > open)
            {
                endpoints[name[(open + 1)..close]] = url;
            }
        }

        var remotes = GitCli.Run(directory, "remote").Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return remotes.Select(r => new RemoteInfo(
            r,
            Config(directory, $"remote.{r}.url"),
            endpoints.TryGetValue(r, out var endpoint) ? endpoint : remotes.Length == 1 || r == "origin" ? defaultEndpoint : null)).ToList();
    }

    private static IReadOnlyList<SettingInfo> Settings(string directory)
    {
        var defaults = new ThetaSettings();
        var table = new (string Env, string Key, string Default)[]
        {
            ("GIT_THETA_UPDATE_TYPE", "theta.updateType", defaults.UpdateType),
            ("GIT_THETA_PARAMETER_ATOL", "theta.parameterAtol", Invariant(defaults.Atol)),
            ("GIT_THETA_PARAMETER_RTOL", "theta.parameterRtol", Invariant(defaults.Rtol)),
            ("GIT_THETA_LSH_SIGNATURE_SIZE", "theta.lshSignatureSize", Invariant(defaults.LshSignatureSize)),
            ("GIT_THETA_LSH_THRESHOLD", "theta.lshThreshold", Invariant(defaults.LshThreshold)),
            ("GIT_THETA_LSH_POOL_SIZE", "theta.lshPoolSize", Invariant(defaults.LshPoolSize)),
            ("GIT_THETA_MAX_CONCURRENCY", "theta.maxConcurrency", Invariant(defaults.MaxConcurrency)),
            ("GIT_THETA_MAX_CHAIN_DEPTH", "theta.maxChainDepth", Invariant(defaults.MaxChainDepth)),
            ("GIT_THETA_SPARSE_THRESHOLD", "theta.sparseThreshold", Invariant(defaults.SparseThreshold)),
            ("GIT_THETA_RANK", "theta.rank", "(from the singular values)"),
            ("GIT_THETA_LOW_RANK_THRESHOLD", "theta.lowRankThreshold", "(the dtype's rounding noise)"),
            ("GIT_THETA_IA3_BROADCAST_DIMS", "theta.ia3BroadcastDims", "(all but the first, then all but the last)"),
            ("GIT_THETA_DIFF_STAT", "theta.diffStat", "false"),
            ("GIT_THETA_LARGE_GROUP_BYTES", "theta.largeGroupBytes", Invariant(defaults.LargeGroupBytes)),
            ("GIT_THETA_STREAM_GROUP_BYTES", "theta.streamGroupBytes", Invariant(defaults.StreamGroupBytes)),
            ("GIT_THETA_INLINE_OBJECT_BYTES", "theta.inlineObjectBytes", Invariant(defaults.InlineObjectBytes)),
            ("GIT_THETA_SMUDGE_AHEAD_BYTES", "theta.smudgeAheadBytes", Invariant(defaults.SmudgeAheadBytes)),
            ("GIT_THETA_WRITE_BEHIND", "theta.writeBehind", defaults.WriteBehind ? "true" : "false"),
            (Core.Merges.MergeStrategySources.EnvironmentVariable, Core.Merges.MergeStrategySources.ConfigKey, "(ask on a terminal, else fail the merge)"),

            // Read from the environment only; the variable is the key.
            ("GIT_THETA_LOG_LEVEL", "GIT_THETA_LOG_LEVEL", "info"),
            (Progress.ProgressSettings.ProgressVariable, Progress.ProgressSettings.ProgressVariable, "(on when stderr is a terminal)"),
            (Progress.ProgressSettings.ThresholdVariable, Progress.ProgressSettings.ThresholdVariable, "64m"),
            (Merging.ManualMerge.EnvironmentVariable, Merging.ManualMerge.EnvironmentVariable, "0"),
        };
        return table.Select(s => Environment.GetEnvironmentVariable(s.Env) is { Length: > 0 } fromEnv
            ? new SettingInfo(s.Key, fromEnv, "env " + s.Env)
            : s.Key.StartsWith("theta.", StringComparison.Ordinal) && Config(directory, s.Key) is { } fromConfig
                ? new SettingInfo(s.Key, fromConfig, "git config")
                : new SettingInfo(s.Key, s.Default, "default")).ToList();
    }

    private static void Print(EnvReport report)
    {
        Console.WriteLine($"git-theta {report.Versions.GitTheta} ({report.Versions.Dotnet})");
        Console.WriteLine(report.Versions.Git);
        Console.WriteLine(report.Versions.GitLfs ?? $"git-lfs: not installed ({DiagnosticIds.GitLfsMissing}: install it from https://git-lfs.com)");
        Console.WriteLine();
        Console.WriteLine($"Repository={report.Repository ?? "(none)"}");
        foreach (var driver in report.Drivers)
        {
            Console.WriteLine($"git config {driver.Key} = {(driver.Command is null ? "(not set: run 'git theta install')" : $"\"{driver.Command}\" ({(driver.Starts ? "starts" : "does not start")})")}");
        }

        if (report.Hook is { } hook)
        {
            Console.WriteLine($"PrePushHook={hook.Path} ({(hook.InstalledByGitTheta ? "git-theta" : hook.Exists ? "not git-theta's" : "missing")})");
        }

        if (report.Store is not null)
        {
            Console.WriteLine($"Store={report.Store} ({ByteSize.Format(report.StoreBytes)})");
        }

        foreach (var remote in report.Remotes)
        {
            Console.WriteLine($"Remote ({remote.Name})={remote.Url} LfsEndpoint={remote.LfsEndpoint ?? "(unknown)"}");
        }

        Console.WriteLine();
        foreach (var setting in report.Settings)
        {
            Console.WriteLine($"{setting.Key}={setting.Value} ({setting.Source})");
        }
    }

    private static string? Config(string directory, string key) =>
        GitCli.Run(directory, "config", "--get", key) is { Succeeded: true } found ? found.Text.TrimEnd('\n', '\r') : null;

    private static string FirstLine(GitResult result) => result.Text.Split('\n')[0].Trim();

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>Source-generated, so that the native (AOT) build of the tool can write the report.</summary>
    [JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(EnvReport))]
    private sealed partial class ReportJson : JsonSerializerContext;

    private sealed record EnvReport(Versions Versions, string? Repository, IReadOnlyList<DriverInfo> Drivers, HookInfo? Hook, string? Store, long StoreBytes, IReadOnlyList<RemoteInfo> Remotes, IReadOnlyList<SettingInfo> Settings);

    private sealed record Versions(string GitTheta, string Git, string? GitLfs, string Dotnet);

    private sealed record DriverInfo(string Key, string? Command, bool Starts);

    private sealed record HookInfo(string Path, bool Exists, bool InstalledByGitTheta);

    private sealed record RemoteInfo(string Name, string? Url, string? LfsEndpoint);

    private sealed record SettingInfo(string Key, string Value, string Source);
}
