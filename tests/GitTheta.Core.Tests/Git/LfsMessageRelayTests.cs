using GitTheta.Core.Git;

namespace GitTheta.Core.Tests.Git;

public sealed class LfsMessageRelayTests
{
    [Fact]
    public void Lines_before_the_handshake_are_held_and_lines_after_it_pass_straight_on()
    {
        var shown = new List<string>();
        var relay = new LfsMessageRelay(shown.Add, hiddenPrefix: "Downloading .fetch/");

        relay.Add("early");
        Assert.Empty(shown);

        relay.Open();
        Assert.Equal(new[] { "early" }, shown);

        relay.Add("Downloading .fetch/abc (1 KB)");
        relay.Add("late");
        Assert.Equal(new[] { "early", "late" }, shown);
        Assert.Equal("early\nDownloading .fetch/abc (1 KB)\nlate\n", relay.All);
    }

    [Fact]
    public void Without_an_answer_nothing_is_shown_but_everything_is_kept()
    {
        var shown = new List<string>();
        var relay = new LfsMessageRelay(shown.Add, hiddenPrefix: null);

        relay.Add("git: 'lfs' is not a git command. See 'git --help'.");

        Assert.Empty(shown);
        Assert.Contains("is not a git command", relay.All);
    }

    [Theory]
    [InlineData(
        "Downloading .f/x (16 KB)\nError downloading object: .f/x (68ddffe): Smudge error: Error downloading .f/x (68ddffe2): batch request: missing protocol: \"/r/info/lfs\"\n\nErrors logged to '/r/.git/lfs/logs/1.log'.\nUse `git lfs logs last` to view the log.\n",
        "batch request: missing protocol: \"/r/info/lfs\"")]
    [InlineData("fatal error: out of memory\n", "fatal error: out of memory")]
    [InlineData("Errors logged to '/r/.git/lfs/logs/1.log'.\nUse `git lfs logs last` to view the log.\n", null)]
    [InlineData("", null)]
    public void The_reason_is_the_cause_in_the_first_error_line(string output, string? expected)
    {
        Assert.Equal(expected, LfsMessageRelay.Reason(output));
    }
}
