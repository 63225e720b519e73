using GitTheta.Core.Metadata;

namespace GitTheta.Core.Diffing;

/// <summary>The numeric change of one group that a diff lists (<c>git theta diff --stat</c>).</summary>
/// <param name="Name">The group.</param>
/// <param name="Kind">Added, removed or modified, as the metadata diff says.</param>
/// <param name="Elements">Elements of the group: the new version's, or the old one's for a removed group.</param>
internal sealed record GroupStatistics(string Name, ChangeKind Kind, long Elements)
{
    /// <summary>How the values differ; null for added and removed groups, and when the layout changed.</summary>
    public ValueDelta? Delta { get; init; }

    /// <summary>What changed when the dtype or shape did ("shape [2, 3] -> [3, 2]"); such values are not compared.</summary>
    public string? LayoutChange { get; init; }
}
