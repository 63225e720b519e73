namespace GitTheta.Core.Filters;

/// <summary>One smudge request that git let the filter delay, and what <see cref="SmudgeAhead"/> made of it.</summary>
internal sealed class DelayedSmudge
{
    public DelayedSmudge(string path, byte[] request, string origin)
    {
        Path = path;
        Request = request;
        Origin = origin;
    }

    public string Path { get; }

    /// <summary>The content git sent (it sends none when it asks again).</summary>
    public byte[] Request { get; }

    /// <summary>Which commit the checkout was writing, for the error message.</summary>
    public string Origin { get; }

    /// <summary>The reply prepared ahead; null when it is written on git's second request instead (too large, or it failed).</summary>
    public MemoryStream? Reply { get; set; }

    /// <summary>Why preparing it failed, reported when git asks again.</summary>
    public Exception? Failure { get; set; }

    /// <summary>What this request holds of the budget: the request, and the room reserved for its reply.</summary>
    public long HeldBytes { get; set; }
}
