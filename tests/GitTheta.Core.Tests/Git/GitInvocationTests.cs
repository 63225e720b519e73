using GitTheta.Core.Git;

namespace GitTheta.Core.Tests.Git;

/// <summary>Which git command started the filter, read from its command line.</summary>
public class GitInvocationTests
{
    [Theory]
    [InlineData("git diff HEAD~1", "diff")]
    [InlineData("git -c core.autocrlf=false -C checkout checkout main", "checkout")]
    [InlineData("git --git-dir .git --work-tree . log -p", "log")]
    [InlineData("git --no-pager show HEAD", "show")]
    [InlineData("git", null)]
    public void The_subcommand_is_the_first_argument_after_git_s_own_options(string commandLine, string? expected) =>
        Assert.Equal(expected, GitInvocation.Subcommand(commandLine.Split(' ')));

    [Theory]
    [InlineData("git checkout main")]
    [InlineData("git checkout -- models")]
    [InlineData("git checkout -q -b feature")]
    [InlineData("git clone -q file:///remote clone")]
    [InlineData("git switch -c topic")]
    [InlineData("git reset --hard HEAD~1")]
    [InlineData("git restore --source HEAD~1 -- model.safetensors")]
    [InlineData("git -C checkout checkout -- -m")]
    public void Commands_that_write_files_from_the_index_or_a_commit_may_delay(string commandLine) =>
        Assert.True(GitInvocation.MayDelaySmudge(commandLine.Split(' ')));

    [Theory]
    [InlineData("git checkout -m -- model.safetensors")]
    [InlineData("git checkout --merge model.safetensors")]
    [InlineData("git checkout -qm -- model.safetensors")]
    [InlineData("git checkout --conflict=diff3 -- model.safetensors")]
    [InlineData("git restore --merge model.safetensors")]
    [InlineData("git restore -m model.safetensors")]
    [InlineData("git")]
    public void Re_merging_a_conflicted_file_and_unknown_commands_do_not_delay(string commandLine) =>
        Assert.False(GitInvocation.MayDelaySmudge(commandLine.Split(' ')));
}
