using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

/// <summary>Config values as git resolves them: read with 'git config --list -z', so every scope git knows counts.</summary>
public sealed class GitConfigSnapshotTests
{
    [Fact]
    public void The_last_value_wins_a_bare_key_is_true_values_keep_newlines_and_keys_compare_as_git_compares_them()
    {
        var values = GitConfigSnapshot.Parse("theta.atol\n1\0Theta.ATOL\n2\0core.bare\0remote.Origin.url\n/a\0x.y\nline one\nline two\0");

        Assert.Equal("2", values["theta.atol"]);
        Assert.Equal("true", values["core.bare"]);
        Assert.Equal("/a", values["remote.Origin.url"]);
        Assert.False(values.ContainsKey("remote.origin.url"));
        Assert.Equal("line one\nline two", values["x.y"]);
        Assert.Equal("remote.Origin.url", GitConfigSnapshot.Normalize("REMOTE.Origin.URL"));
    }

    [Fact]
    public void A_repository_sees_what_git_resolves_including_included_files_and_its_own_values_over_them()
    {
        // An included file stands in for the global config here (the environment is shared by tests running in
        // parallel); the tool's end-to-end tests set GIT_CONFIG_GLOBAL for real.
        using var temp = new TempDirectory();
        var included = Path.Combine(temp.Path, "shared.gitconfig");
        File.WriteAllText(included, "[theta]\n\tinlineObjectBytes = 0\n\tmaxChainDepth = 3\n");
        var repo = Path.Combine(temp.Path, "repo");
        Run(temp.Path, "init", "-q", repo);
        Run(repo, "config", "include.path", included);
        Run(repo, "config", "--add", "theta.maxChainDepth", "7");

        using var repository = GitRepository.Discover(repo);

        Assert.Equal("0", repository.GetConfig("theta.inlineObjectBytes"));
        Assert.Equal("7", repository.GetConfig("theta.maxchaindepth"));
        Assert.Equal(0, repository.Settings.InlineObjectBytes);
        Assert.Equal(7, repository.Settings.MaxChainDepth);
        Assert.Null(repository.GetConfig("theta.notSet"));
    }

    private static void Run(string directory, params string[] arguments) =>
        GitCli.Run(directory, arguments).ThrowIfFailed(arguments);
}
