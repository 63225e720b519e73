using GitTheta.Core.Repositories;
using GitTheta.Core.Git;
using GitTheta.Core.Merges;

namespace GitTheta.Tool.Merging;

/// <summary>Finds the settings that choose merge strategies: the environment, git config (through git itself, so every scope and 'git -c' count) and the path's attributes.</summary>
internal static class MergeStrategySourcesReader
{
    public static MergeStrategySources Read(ThetaRepository repository, string relativePath)
    {
        var workTree = repository.WorkTree;
        var rules = Array.Empty<string>();
        string? attribute = null;
        if (workTree is not null)
        {
            // Exit code 1 means the key is not set; anything else is reported as git reports it.
            var run = GitCli.Run(workTree, "config", "--get-all", MergeStrategySources.RuleKey);
            if (run.ExitCode is not (0 or 1))
            {
                run.ThrowIfFailed(new[] { "config", "--get-all", MergeStrategySources.RuleKey });
            }

            rules = run.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            attribute = GitAttributes.Get(workTree, relativePath, MergeStrategySources.AttributeName);
        }

        return new MergeStrategySources(
            rules,
            Environment.GetEnvironmentVariable(MergeStrategySources.EnvironmentVariable),
            attribute,
            repository.Git.GetConfig(MergeStrategySources.ConfigKey));
    }
}
