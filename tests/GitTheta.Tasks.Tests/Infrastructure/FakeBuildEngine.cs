using System.Collections;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks.Tests.Infrastructure;

/// <summary>
/// An MSBuild engine for running tasks in process: it records what the tasks log, and keeps registered task objects
/// in a dictionary, as MSBuild does for one build, disposing them in <see cref="EndBuild"/>.
/// </summary>
public sealed class FakeBuildEngine : IBuildEngine4
{
    private readonly Dictionary<(object Key, RegisteredTaskObjectLifetime Lifetime), object> registered = new();

    public FakeBuildEngine(string projectFile)
    {
        ProjectFileOfTaskNode = projectFile;
    }

    public List<BuildErrorEventArgs> Errors { get; } = new();

    public List<BuildWarningEventArgs> Warnings { get; } = new();

    public List<BuildMessageEventArgs> Messages { get; } = new();

    /// <summary>Every RegisterTaskObject call, in order.</summary>
    public List<(object Key, object Value, RegisteredTaskObjectLifetime Lifetime)> Registrations { get; } = new();

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode { get; }

    public bool IsRunningMultipleNodes => false;

    public IReadOnlyDictionary<(object Key, RegisteredTaskObjectLifetime Lifetime), object> RegisteredObjects => registered;

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public void RegisterTaskObject(object key, object obj, RegisteredTaskObjectLifetime lifetime, bool allowEarlyCollection)
    {
        Registrations.Add((key, obj, lifetime));
        registered[(key, lifetime)] = obj;
    }

    public object? GetRegisteredTaskObject(object key, RegisteredTaskObjectLifetime lifetime) =>
        registered.TryGetValue((key, lifetime), out var value) ? value : null;

    public object? UnregisterTaskObject(object key, RegisteredTaskObjectLifetime lifetime) =>
        registered.Remove((key, lifetime), out var value) ? value : null;

    /// <summary>What MSBuild does when a build ends: the build's objects are disposed and forgotten.</summary>
    public void EndBuild()
    {
        foreach (var (key, value) in registered.Where(p => p.Key.Lifetime == RegisteredTaskObjectLifetime.Build).ToList())
        {
            (value as IDisposable)?.Dispose();
            registered.Remove(key);
        }
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException("The GitTheta tasks build no other project.");

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs, string toolsVersion) =>
        throw new NotSupportedException("The GitTheta tasks build no other project.");

    public bool BuildProjectFilesInParallel(string[] projectFileNames, string[] targetNames, IDictionary[] globalProperties, IDictionary[] targetOutputsPerProject, string[] toolsVersion, bool useResultsCache, bool unloadProjectsOnCompletion) =>
        throw new NotSupportedException("The GitTheta tasks build no other project.");

    public BuildEngineResult BuildProjectFilesInParallel(string[] projectFileNames, string[] targetNames, IDictionary[] globalProperties, IList<string>[] removeGlobalProperties, string[] toolsVersion, bool returnTargetOutputs) =>
        throw new NotSupportedException("The GitTheta tasks build no other project.");

    public void Yield()
    {
    }

    public void Reacquire()
    {
    }
}
