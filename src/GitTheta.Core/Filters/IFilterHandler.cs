namespace GitTheta.Core.Filters;

/// <summary>What the filter process does with each request.</summary>
internal interface IFilterHandler
{
    byte[] Clean(Stream content, string path);

    ISmudgeResult Smudge(Stream content, string path);

    /// <summary>
    /// Told of smudges that will follow (the ones git let the filter delay), so what they need from a remote can be
    /// fetched in one go instead of file by file. Never required: each smudge still fetches what is missing.
    /// </summary>
    void Prefetch(IReadOnlyList<DelayedSmudge> upcoming)
    {
    }

    /// <summary>Whether <see cref="Prefetch"/> would download anything for these smudges (then it pays to wait for the rest of them).</summary>
    bool LacksObjects(IReadOnlyList<DelayedSmudge> upcoming) => false;
}
