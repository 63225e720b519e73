namespace GitTheta.Core.Git;

/// <summary>A question <see cref="AttributeReader.Ask"/> has sent for one path; <see cref="Answer"/> waits for git's reply.</summary>
internal sealed class PendingAttributes
{
    private readonly AttributeReader owner;

    internal PendingAttributes(AttributeReader owner, string path)
    {
        this.owner = owner;
        Path = path;
    }

    public string Path { get; }

    internal Dictionary<string, string>? Result { get; set; }

    /// <summary>The set attributes of the path (unspecified and unset ones are left out).</summary>
    public Dictionary<string, string> Answer() => owner.Collect(this);
}
