using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>git add with a chosen update type; arguments git-theta does not know are passed to git add.</summary>
public static class AddCommand
{
    public static Command Create()
    {
        var arguments = new Argument<string[]>("files") { Description = "The tracked checkpoints to stage, and any git add options.", Arity = ArgumentArity.OneOrMore };
        var updateType = new Option<string?>("--update-type") { Description = "How to store the changed groups: " + string.Join(", ", UpdateTypeRegistry.Default.Names) + "." };
        var command = new Command("add", "Stage checkpoints with git-theta, choosing the update type; other options go to git add.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(arguments);
        command.Options.Add(updateType);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);

            // Options and files may come in any order: whatever starts with '-' is git add's.
            var tokens = (parse.GetValue(arguments) ?? Array.Empty<string>()).Concat(parse.UnmatchedTokens).ToList();
            var gitOptions = tokens.Where(t => t.StartsWith('-')).ToList();
            var files = tokens.Where(t => !t.StartsWith('-')).ToList();
            if (files.Count == 0)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, "name the checkpoint(s) to add.");
            }

            var type = parse.GetValue(updateType);
            if (type is not null)
            {
                UpdateTypeRegistry.Default.Get(type, "--update-type");
            }

            foreach (var path in files)
            {
                var relative = repository.RelativePath(path);
                if (!File.Exists(path))
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' does not exist.");
                }

                if (GitAttributes.Get(root, relative, "filter") != "theta")
                {
                    throw new ThetaException(DiagnosticIds.PathNotTracked, $"'{relative}' is not tracked by git-theta; run 'git theta track {relative}' first.");
                }

                if (type is not null)
                {
                    // git only re-runs the clean filter when the file looks modified; a new mtime makes it do so without rewriting the file.
                    File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                }
            }

            var environment = new Dictionary<string, string?>();
            if (type is not null)
            {
                environment["GIT_THETA_UPDATE_TYPE"] = type;
            }

            var gitArguments = new List<string> { "add" };
            gitArguments.AddRange(gitOptions);
            gitArguments.Add("--");
            gitArguments.AddRange(files.Select(Path.GetFullPath));
            var result = GitCli.Run(Environment.CurrentDirectory, gitArguments, environment: environment);
            Console.Error.Write(result.Error);
            Console.Out.Write(result.Text);
            return result.Succeeded ? ExitCode.Success : ExitCode.GitFailed;
        }));
        return command;
    }
}
