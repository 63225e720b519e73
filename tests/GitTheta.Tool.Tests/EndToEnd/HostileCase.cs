namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// One case of tests/fixtures/hostile/manifest.json: a file git-theta must refuse (on <c>add</c>, or on
/// <c>checkout</c> when committed without filters) with one <paramref name="Code"/> line and its own exit code.
/// </summary>
/// <param name="Mutation">For a lie about a real object: the seed file is added first and its metadata edited so.</param>
/// <param name="MayBeAccepted">The issue allows accepting the file instead (in bounded time), e.g. a huge pickle integer.</param>
public sealed record HostileCase(
    string Name,
    string File,
    string Format,
    string Path,
    IReadOnlyList<string> Operations,
    string Code,
    int Exit,
    string Why,
    string? Mutation,
    bool MayBeAccepted)
{
    public byte[] Bytes() => System.IO.File.ReadAllBytes(System.IO.Path.Combine(HostileCorpus.Root, File));

    public override string ToString() => Name;
}
