using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public class IndexSnapshotTests
{
    [Fact]
    public void Every_lookup_sees_the_index_as_git_last_wrote_it()
    {
        using var temp = new TempDirectory();
        Git(temp.Path, "init", "-q");
        var snapshot = new IndexSnapshot(Path.Combine(temp.Path, ".git"));
        Assert.Empty(snapshot.Stages("a.txt"));

        File.WriteAllText(Path.Combine(temp.Path, "a.txt"), "one\n");
        Git(temp.Path, "add", "a.txt");
        Assert.Equal(BlobOf(temp.Path, "a.txt"), snapshot.Stages("a.txt")[0]);

        // Rewritten right away (as a rebase does between two picks), with an index of the same size.
        File.WriteAllText(Path.Combine(temp.Path, "a.txt"), "two\n");
        Git(temp.Path, "add", "a.txt");
        Assert.Equal(BlobOf(temp.Path, "a.txt"), snapshot.Stages("a.txt")[0]);

        Git(temp.Path, "rm", "-q", "--cached", "a.txt");
        Assert.Empty(snapshot.Stages("a.txt"));
    }

    [Fact]
    public void Unmerged_paths_list_their_three_stages()
    {
        using var temp = new TempDirectory();
        Git(temp.Path, "init", "-q", "-b", "main");
        Git(temp.Path, "config", "user.email", "t@example.com");
        Git(temp.Path, "config", "user.name", "t");
        File.WriteAllText(Path.Combine(temp.Path, "m.txt"), "base\n");
        Git(temp.Path, "add", "m.txt");
        Git(temp.Path, "commit", "-q", "-m", "base");
        Git(temp.Path, "checkout", "-q", "-b", "other");
        File.WriteAllText(Path.Combine(temp.Path, "m.txt"), "theirs\n");
        Git(temp.Path, "commit", "-q", "-am", "theirs");
        Git(temp.Path, "checkout", "-q", "main");
        var snapshot = new IndexSnapshot(Path.Combine(temp.Path, ".git"));
        Assert.Equal([0], snapshot.Stages("m.txt").Keys);

        File.WriteAllText(Path.Combine(temp.Path, "m.txt"), "ours\n");
        Git(temp.Path, "commit", "-q", "-am", "ours");
        GitCli.Run(temp.Path, "merge", "-q", "other");

        Assert.Equal([1, 2, 3], snapshot.Stages("m.txt").Keys.Order());
    }

    private static void Git(string directory, params string[] arguments) =>
        GitCli.Run(directory, arguments).ThrowIfFailed(arguments);

    private static string BlobOf(string directory, string path) =>
        GitCli.Run(directory, "rev-parse", ":" + path).Text.Trim();
}
