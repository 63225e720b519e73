using System.CommandLine;

namespace GitTheta.Tool.Progress;

/// <summary>git's <c>--quiet</c>/<c>--progress</c> pair, for the commands that do long work.</summary>
internal sealed class ProgressOptions
{
    private readonly Option<bool> quiet = new("--quiet", "-q") { Description = "Report no progress on stderr." };
    private readonly Option<bool> progress = new("--progress") { Description = "Report progress on stderr even when it is not a terminal (default: only on a terminal; GIT_THETA_PROGRESS=0/1 sets it too)." };

    public static ProgressOptions AddTo(Command command)
    {
        var options = new ProgressOptions();
        command.Options.Add(options.quiet);
        command.Options.Add(options.progress);
        return options;
    }

    /// <summary>The settings for this command; a flag given is also passed on to the filters of the git commands it runs.</summary>
    public ProgressSettings Resolve(ParseResult parse)
    {
        var (isQuiet, isForced) = (parse.GetValue(quiet), parse.GetValue(progress));
        if (isQuiet || isForced)
        {
            Environment.SetEnvironmentVariable(ProgressSettings.ProgressVariable, isQuiet ? "0" : "1");
        }

        return ProgressSettings.Resolve(isQuiet, isForced);
    }
}
