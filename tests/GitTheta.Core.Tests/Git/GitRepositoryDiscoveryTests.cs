using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

/// <summary>
/// Finding the repository from a folder, as git does, and what a remote is known to have: both read without the libgit2
/// calls that return their answer in a buffer (the native build of the tool does not read those back).
/// </summary>
public sealed class GitRepositoryDiscoveryTests
{
    [Fact]
    public void A_folder_deep_in_a_work_tree_finds_its_repository()
    {
        using var temp = new TempDirectory();
        Git(temp.Path, "init", "-q");
        var deep = Directory.CreateDirectory(Path.Combine(temp.Path, "models", "adapters")).FullName;

        using var repository = GitRepository.Discover(deep);

        Assert.Equal(Full(Path.Combine(temp.Path, ".git")), Full(repository.GitDirectory));
        Assert.Equal(Full(temp.Path), Full(repository.WorkTree!));
    }

    [Fact]
    public void A_bare_repository_is_found_from_its_own_folder_and_from_inside_it()
    {
        using var temp = new TempDirectory();
        var bare = Path.Combine(temp.Path, "remote.git");
        Git(temp.Path, "init", "-q", "--bare", bare);

        using var fromItself = GitRepository.Discover(bare);
        using var fromInside = GitRepository.Discover(Path.Combine(bare, "refs", "heads"));

        Assert.Equal(Full(bare), Full(fromItself.GitDirectory));
        Assert.Null(fromItself.WorkTree);
        Assert.Equal(Full(bare), Full(fromInside.GitDirectory));
    }

    [Fact]
    public void A_linked_worktree_finds_its_own_git_directory_and_the_common_one()
    {
        using var temp = new TempDirectory();
        var main = Path.Combine(temp.Path, "main");
        Git(temp.Path, "init", "-q", "-b", "main", main);
        Commit(main);
        var linked = Path.Combine(temp.Path, "linked");
        Git(main, "worktree", "add", "-q", "-b", "other", linked);

        using var repository = GitRepository.Discover(linked);

        Assert.Equal(Full(linked), Full(repository.WorkTree!));
        Assert.Equal(Full(Path.Combine(main, ".git")), Full(repository.CommonDirectory));
        Assert.Equal(Full(Path.Combine(main, ".git", "worktrees", "linked")), Full(repository.GitDirectory));
    }

    [Fact]
    public void Outside_every_repository_it_fails_with_GT2001()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<ThetaException>(() => GitRepository.Discover(temp.Path));

        Assert.Equal(DiagnosticIds.NotAGitRepository, error.Code);
    }

    [Fact]
    public void Remote_tracking_tips_are_those_of_that_remote_only()
    {
        using var temp = new TempDirectory();
        Git(temp.Path, "init", "-q", "-b", "main");
        var first = Commit(temp.Path);
        var second = Commit(temp.Path);
        Git(temp.Path, "update-ref", "refs/remotes/origin/main", first);
        Git(temp.Path, "update-ref", "refs/remotes/origin/feature/x", second);
        Git(temp.Path, "update-ref", "refs/remotes/origin2/main", second);
        Git(temp.Path, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");

        using var repository = GitRepository.Discover(temp.Path);

        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), repository.RemoteTrackingTips("origin").Order(StringComparer.Ordinal));
        Assert.Equal(new[] { second }, repository.RemoteTrackingTips("origin2"));
        Assert.Empty(repository.RemoteTrackingTips("upstream"));
    }

    private static int commits;

    private static string Commit(string directory)
    {
        var n = Interlocked.Increment(ref commits);
        File.WriteAllText(Path.Combine(directory, "f.txt"), n + "\n");
        Git(directory, "add", "f.txt");
        Git(directory, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "c" + n);
        return GitCli.Run(directory, "rev-parse", "HEAD").Text.Trim();
    }

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static void Git(string directory, params string[] arguments) =>
        GitCli.Run(directory, arguments).ThrowIfFailed(arguments);
}
