using GitTheta.Core.Git;

namespace GitTheta.Core.Tests.Git;

public class IndexEntryTests
{
    private const string Merged = "1111111111111111111111111111111111111111";
    private const string Theirs = "2222222222222222222222222222222222222222";

    [Fact]
    public void Parses_index_entries_of_every_stage()
    {
        var entries = IndexEntry.Parse($"100644 {Merged} 0\ta.safetensors\0100644 {Merged} 1\tb c.safetensors\0100644 {Theirs} 3\tb c.safetensors\0");

        Assert.Equal(
            new[] { new IndexEntry("a.safetensors", Merged, 0), new IndexEntry("b c.safetensors", Merged, 1), new IndexEntry("b c.safetensors", Theirs, 3) },
            entries);
    }
}
