namespace GitTheta.Core.Merges;

/// <summary>How the versions of a merge are named in messages, menus and strategy names.</summary>
internal static class MergeSides
{
    public static string Label(this MergeSide side) => side switch
    {
        MergeSide.Ours => "ours",
        MergeSide.Theirs => "theirs",
        _ => "base",
    };
}
