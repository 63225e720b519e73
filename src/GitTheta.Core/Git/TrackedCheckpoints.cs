namespace GitTheta.Core.Git;

/// <summary>
/// Which files git-theta handles: those whose <c>filter</c> attribute is <c>theta</c>, as <c>git check-attr</c>
/// reports it with the work tree's .gitattributes. <c>git theta ls-files</c> and <c>git theta status</c> select
/// files the same way.
/// </summary>
internal static class TrackedCheckpoints
{
    public const string FilterName = "theta";

    /// <summary>The index entries (one per stage of an unmerged path) of the tracked files, in index order.</summary>
    public static IReadOnlyList<IndexEntry> InIndex(string workTree, IReadOnlyList<string> pathspecs)
    {
        var entries = IndexEntry.List(workTree, pathspecs);
        var tracked = Select(workTree, entries.Select(e => e.Path).Distinct(StringComparer.Ordinal).ToList());
        return entries.Where(e => tracked.Contains(e.Path)).ToList();
    }

    /// <summary>The paths, among the given repository-relative ones, whose filter is theta (one git process).</summary>
    public static IReadOnlySet<string> Select(string workTree, IReadOnlyCollection<string> paths)
    {
        var filters = GitAttributes.GetAll(workTree, paths, "filter");
        return paths.Where(p => filters.TryGetValue(p, out var filter) && filter == FilterName).ToHashSet(StringComparer.Ordinal);
    }
}
