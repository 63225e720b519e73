using System.CommandLine;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>git add with a chosen update type and side-loaded update data; arguments git-theta does not know are passed to git add.</summary>
internal static class AddCommand
{
    /// <summary>At most this many unmatched update data names are listed in an error.</summary>
    private const int NamesShown = 10;

    public static Command Create()
    {
        var arguments = new Argument<string[]>("files") { Description = "The tracked checkpoints to stage, and any git add options.", Arity = ArgumentArity.OneOrMore };
        var updateType = new Option<string?>("--update-type") { Description = "How to store the changed groups: " + string.Join(", ", UpdateTypeRegistry.Default.Names) + "." };
        var updateData = new Option<string?>("--update-data") { Description = "Side-loaded update data: a checkpoint whose tensors <group>/R and <group>/C (low-rank), <group>/ia3 (ia3) or <group>/indices and <group>/values (sparse differences) are the update of those groups." };
        var adapterConfig = new Option<string?>("--adapter-config") { Description = "The adapter_config.json of a PEFT LoRA adapter given as --update-data, when it is not beside the adapter." };
        var rank = new Option<int?>("--rank") { Description = "The rank of inferred low-rank updates (default: from the singular values)." };
        var command = new Command("add", "Stage checkpoints with git-theta, choosing the update type; other options go to git add.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(arguments);
        command.Options.Add(updateType);
        command.Options.Add(updateData);
        command.Options.Add(rank);
        command.Options.Add(adapterConfig);
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

            var dataPath = parse.GetValue(updateData) is { } given ? Path.GetFullPath(given) : null;
            if (parse.GetValue(adapterConfig) is { } configPath)
            {
                // Read by the update data loader here and in the clean filter git add starts.
                Environment.SetEnvironmentVariable(PeftAdapter.ConfigVariable, Path.GetFullPath(configPath));
            }

            var wantedRank = parse.GetValue(rank);
            if (wantedRank is < 1)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, $"--rank must be a positive whole number, not {wantedRank}.");
            }

            var relatives = new List<string>();
            foreach (var path in files)
            {
                var relative = repository.Git.RelativePath(path);
                if (!File.Exists(path))
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' does not exist.");
                }

                if (GitAttributes.Get(root, relative, "filter") != "theta")
                {
                    throw new ThetaException(DiagnosticIds.PathNotTracked, $"'{relative}' is not tracked by git-theta; run 'git theta track {relative}' first.");
                }

                var effective = type ?? UpdateTypeSelection.Resolve(repository.Settings, GitAttributes.Get(root, relative, UpdateTypeSelection.Attribute));
                if (wantedRank is not null && effective != LowRankUpdate.TypeName)
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"--rank applies to low-rank updates, but '{relative}' would be stored as {effective}; add --update-type low-rank.");
                }

                if (dataPath is not null && UpdateTypeRegistry.Default.Get(effective, relative) is not IIncrementalUpdateType { UpdateDataKeys.Count: > 0 })
                {
                    throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"--update-data needs an update type that reads it (low-rank, ia3 or sparse), but '{relative}' would be stored as {effective}; add --update-type low-rank, ia3 or sparse.");
                }

                relatives.Add(relative);
            }

            if (dataPath is not null && !CheckUpdateData(dataPath, files, relatives, type, repository.Settings, root))
            {
                dataPath = null;
            }

            if (type is not null || dataPath is not null || wantedRank is not null)
            {
                foreach (var path in files)
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

            if (dataPath is not null)
            {
                environment["GIT_THETA_UPDATE_DATA"] = dataPath;
            }

            if (wantedRank is not null)
            {
                environment["GIT_THETA_RANK"] = wantedRank.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var gitArguments = new List<string> { "add" };
            gitArguments.AddRange(gitOptions);
            gitArguments.Add("--");
            gitArguments.AddRange(files.Select(Path.GetFullPath));
            var result = GitCli.Run(Environment.CurrentDirectory, gitArguments, environment: environment);
            Console.Error.Write(result.Error);
            Console.Out.Write(result.Text);
            if (result.Succeeded && dataPath is not null)
            {
                WriteStagedValues(repository, files, relatives);
            }

            return result.Succeeded ? ExitCode.Success : ExitCode.GitFailed;
        }));
        return command;
    }

    /// <summary>
    /// Side-loaded data makes the staged value differ from the working file. Left so, the next clean of the file (a
    /// racy timestamp, a touch) would see the old values without the update data and call the file modified; so the
    /// staged value is written into the file, as 'git checkout -- file' would, and git's stat cache refreshed.
    /// </summary>
    private static void WriteStagedValues(Core.Repositories.ThetaRepository repository, IReadOnlyList<string> files, IReadOnlyList<string> relatives)
    {
        var materializer = new Core.Repositories.CheckpointMaterializer(repository);
        for (var i = 0; i < files.Count; i++)
        {
            var staged = repository.ReadMetadata(new RevisionPath(null, 0, relatives[i]))
                ?? throw new ThetaException(DiagnosticIds.GitFailed, $"{relatives[i]}: the index holds no git-theta metadata after 'git add'; run 'git theta verify'.");
            materializer.Write(staged, relatives[i], files[i]);
        }

        // Only stat information changes: a file whose clean differs from the index stays modified, as it should.
        GitCli.Run(RepositoryContext.WorkTree(repository), "update-index", "-q", "--refresh");
        foreach (var relative in relatives)
        {
            CommandRunner.Log($"{relative}: staged with the update data applied, and the file rewritten with the staged value (as 'git checkout -- {relative}' would), so 'git status' shows it unmodified.");
        }
    }

    /// <summary>
    /// Reads the update data and checks every tensor in it names a group of one of the files and a key of its update
    /// type: a misspelt name would otherwise silently change nothing.
    /// </summary>
    /// <returns>False when the update data names no group of the files at all: then it is left out and the files are added as usual.</returns>
    private static bool CheckUpdateData(string dataPath, IReadOnlyList<string> files, IReadOnlyList<string> relatives, string? type, Core.Configuration.ThetaSettings settings, string root)
    {
        var data = UpdateData.Load(dataPath, CheckpointFormatRegistry.Default);
        var groups = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var effective = type ?? UpdateTypeSelection.Resolve(settings, GitAttributes.Get(root, relatives[i], UpdateTypeSelection.Attribute));
            keys.UnionWith(((IIncrementalUpdateType)UpdateTypeRegistry.Default.Get(effective, relatives[i])).UpdateDataKeys);
            groups.UnionWith(GroupNames(files[i], relatives[i], root));
        }

        var unmatched = data.Unmatched(groups, keys.ToList());
        if (unmatched.Count > 0 && unmatched.Count == data.Names.Count && !data.Names.Any(n => n.LastIndexOf('/') is > 0 and var slash && groups.Contains(n[..slash])))
        {
            // Update data for another model, not a typo in one name: say so once and add the files as usual.
            CommandRunner.Warn($"{DiagnosticIds.InvalidUpdateData}: the update data '{dataPath}' names no parameter group of {string.Join(", ", relatives)} (its tensors: {Shown(unmatched)}); it was left out and the file(s) staged as usual.");
            return false;
        }

        if (unmatched.Count > 0)
        {
            throw new ThetaException(
                DiagnosticIds.InvalidUpdateData,
                $"the update data '{dataPath}' has tensors that name no parameter group and key ({string.Join(", ", keys.Order(StringComparer.Ordinal))}) of {string.Join(", ", relatives)}: {Shown(unmatched)}. Name them '<group>/<key>'.");
        }

        return true;
    }

    private static string Shown(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(NamesShown).Select(n => $"'{n}'")) + (names.Count > NamesShown ? $" and {names.Count - NamesShown} more" : string.Empty);

    private static IEnumerable<string> GroupNames(string file, string relative, string root)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = CheckpointFormatRegistry.Default.Open(stream, relative, GitAttributes.Get(root, relative, GitAttributes.FormatAttribute));
        return reader.Tensors.Select(t => t.Name).ToList();
    }
}
