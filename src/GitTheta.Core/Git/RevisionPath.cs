using System.Globalization;

namespace GitTheta.Core.Git;

/// <summary>
/// A stored version of a file as git names it: <c>&lt;rev&gt;:&lt;path&gt;</c> (the file in a commit),
/// <c>:&lt;path&gt;</c> or <c>:&lt;n&gt;:&lt;path&gt;</c> (the index, stage n). A path given without a colon is the
/// index version of a file named relative to the current directory.
/// </summary>
/// <param name="Revision">The revision, or null for the index.</param>
/// <param name="Stage">The index stage: 0 merged, 1 base, 2 ours, 3 theirs (0 for a revision).</param>
/// <param name="Path">Repository-relative, '/' separators.</param>
internal sealed record RevisionPath(string? Revision, int Stage, string Path)
{
    public bool IsIndex => Revision is null;

    /// <summary>Where the version lives, for messages: "HEAD~1", "the index", "stage 2 of the index".</summary>
    public string Where => Revision ?? (Stage == 0 ? "the index" : $"stage {Stage} of the index");

    /// <param name="relativeToRoot">Turns a path relative to the current directory into a repository-relative one.</param>
    public static RevisionPath Parse(string spec, Func<string, string> relativeToRoot)
    {
        if (spec.StartsWith(':'))
        {
            if (spec.Length > 3 && spec[2] == ':' && spec[1] is >= '0' and <= '3')
            {
                return new RevisionPath(null, int.Parse(spec.AsSpan(1, 1), CultureInfo.InvariantCulture), GitPath(spec[3..], relativeToRoot));
            }

            return new RevisionPath(null, 0, GitPath(spec[1..], relativeToRoot));
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new RevisionPath(null, 0, relativeToRoot(spec))
            : new RevisionPath(spec[..colon], 0, GitPath(spec[(colon + 1)..], relativeToRoot));
    }

    public override string ToString() => Revision is not null ? $"{Revision}:{Path}" : Stage == 0 ? $":{Path}" : $":{Stage}:{Path}";

    /// <summary>As git reads the path after a colon: from the top of the repository, unless it starts with ./ or ../.</summary>
    public static string GitPath(string path, Func<string, string> relativeToRoot) =>
        path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal) || path is "." or ".."
            ? relativeToRoot(path)
            : path.Replace('\\', '/').TrimStart('/');
}
