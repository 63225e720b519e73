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
        var file = new Argument<string>("file") { Description = "The tracked checkpoint to stage." };
        var updateType = new Option<string?>("--update-type") { Description = "How to store the changed groups: " + string.Join(", ", UpdateTypeRegistry.Default.Names) + "." };
        var command = new Command("add", "Stage a checkpoint with git-theta, choosing the update type; other options go to git add.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(file);
        command.Options.Add(updateType);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var path = parse.GetValue(file)!;
            var relative = repository.RelativePath(path);
            if (!File.Exists(path))
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' does not exist.");
            }

            if (!GitAttributes.IsTracked(root, relative))
            {
                throw new ThetaException(DiagnosticIds.PathNotTracked, $"'{relative}' is not tracked by git-theta; run 'git theta track {relative}' first.");
            }

            var type = parse.GetValue(updateType);
            var environment = new Dictionary<string, string?>();
            if (type is not null)
            {
                UpdateTypeRegistry.Default.Get(type, relative);
                environment["GIT_THETA_UPDATE_TYPE"] = type;

                // git only re-runs the clean filter when the file looks modified; a new mtime makes it do so without rewriting the file.
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            }

            var arguments = new List<string> { "add" };
            arguments.AddRange(parse.UnmatchedTokens);
            arguments.Add("--");
            arguments.Add(Path.GetFullPath(path));
            var result = GitCli.Run(Environment.CurrentDirectory, arguments, environment: environment);
            Console.Error.Write(result.Error);
            Console.Out.Write(result.Text);
            return result.Succeeded ? ExitCode.Success : ExitCode.GitFailed;
        }));
        return command;
    }
}
