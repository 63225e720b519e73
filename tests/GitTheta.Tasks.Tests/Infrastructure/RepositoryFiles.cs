using System.Reflection;

namespace GitTheta.Tasks.Tests.Infrastructure;

/// <summary>Files of this repository (the SDK's targets, Directory.Build.props, docs), found from the build that made the tests.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = typeof(RepositoryFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GitThetaRepositoryRoot").Value!;

    public static string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relative));
}
