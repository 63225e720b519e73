using GitTheta.Core.Git;

namespace GitTheta.Core.Tests.Git;

public class GitStatusEntryTests
{
    private const string Zero = "0000000000000000000000000000000000000000";
    private const string Head = "1111111111111111111111111111111111111111";
    private const string Staged = "2222222222222222222222222222222222222222";

    [Fact]
    public void Parses_ordinary_and_unmerged_records_with_spaces_in_paths()
    {
        var output = string.Join('\0',
            $"1 M. N... 100644 100644 100644 {Head} {Staged} models/a b.safetensors",
            $"1 A. N... 000000 100644 100644 {Zero} {Staged} new.safetensors",
            $"1 .D N... 100644 100644 000000 {Head} {Head} gone.safetensors",
            $"u UU N... 100644 100644 100644 100644 {Head} {Staged} {Head} both.safetensors",
            "? untracked.txt") + "\0";

        var entries = GitStatusEntry.Parse(output);

        Assert.Equal(4, entries.Count);
        Assert.Equal(new GitStatusEntry("models/a b.safetensors", 'M', '.', Head, Staged, false), entries[0]);
        Assert.Equal((FileChange.Modified, FileChange.Unchanged), (entries[0].StagedChange, entries[0].NotStagedChange));
        Assert.Null(entries[1].HeadBlob);
        Assert.Equal(FileChange.Added, entries[1].StagedChange);
        Assert.Equal((FileChange.Unchanged, FileChange.Deleted), (entries[2].StagedChange, entries[2].NotStagedChange));
        Assert.Equal(new GitStatusEntry("both.safetensors", 'U', 'U', null, null, true), entries[3]);
        Assert.Equal((FileChange.Unmerged, FileChange.Unmerged), (entries[3].StagedChange, entries[3].NotStagedChange));
    }
}
