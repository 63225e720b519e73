using System.CommandLine;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The diff driver (git calls it with 7 arguments) and a standalone diff of two files: which groups
/// were added, removed or modified, from metadata alone. Sides git stores are read by blob id; a side
/// that is a checkpoint rather than metadata (a modified working file) is hashed in memory, and only a
/// group whose change is within the LSH threshold has its stored value read, for the allclose check.
/// </summary>
public static class DiffCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("args") { Description = "As git's external diff: path old-file old-hex old-mode new-file new-hex new-mode; or two files.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("diff", "Show which parameter groups differ between two versions of a checkpoint (git diff driver).");
        command.Arguments.Add(files);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var values = parse.GetValue(files) ?? Array.Empty<string>();
            var (oldName, oldFile, oldHex, newName, newFile, newHex) = values.Length switch
            {
                7 => (values[0], values[1], values[2], values[0], values[4], values[5]),
                2 => (values[0], values[0], string.Empty, values[1], values[1], string.Empty),
                _ => throw new ThetaException(DiagnosticIds.InvalidArguments, "diff takes two files, or the seven arguments git passes to an external diff driver."),
            };
            using var repository = TryOpen();
            var before = FromBlob(oldHex, oldName, repository) ?? Load(oldFile, oldName, null, repository);
            var after = FromBlob(newHex, newName, repository) ?? Load(newFile, newName, before, repository);
            Write(oldName, newName, MetadataDiff.Compare(before, after), Console.Out, UseColor());
            return ExitCode.Success;
        }));
        return command;
    }

    public static void Write(string oldName, string newName, MetadataDiff diff, TextWriter output, bool color)
    {
        output.WriteLine($"diff --git-theta a/{oldName.TrimStart('/')} b/{newName.TrimStart('/')}");
        if (diff.Changes.Count == 0)
        {
            output.WriteLine("no parameter group changed");
            return;
        }

        var width = diff.Changes.Max(c => c.Name.Length);
        foreach (var change in diff.Changes)
        {
            var (label, code) = change.Kind switch
            {
                ChangeKind.Added => ("added   ", "\u001b[32m"),
                ChangeKind.Removed => ("removed ", "\u001b[31m"),
                _ => ("modified", "\u001b[33m"),
            };
            var description = change.Kind switch
            {
                ChangeKind.Added => Describe(change.After!),
                ChangeKind.Removed => Describe(change.Before!),
                _ => Describe(change.Before!) == Describe(change.After!) ? Describe(change.After!) : $"{Describe(change.Before!)} -> {Describe(change.After!)}",
            };
            var line = $"{label} {change.Name.PadRight(width)}  {description}";
            output.WriteLine(color ? code + line + "\u001b[0m" : line);
        }

        output.WriteLine($"{diff.Changes.Count} of {diff.Total} parameter groups differ: {diff.Modified} modified, {diff.Added} added, {diff.Removed} removed");
    }

    private static string Describe(ParameterEntry entry) =>
        $"{entry.Tensor.DType} [{string.Join(", ", entry.Tensor.Shape)}] {entry.Update.Type}";

    /// <summary>The side as git stores it, read by blob id: metadata even where git handed over a smudged file.</summary>
    private static ThetaMetadata? FromBlob(string hex, string path, GitRepository? repository)
    {
        if (repository is null || hex.Length < 40 || hex.Trim('0').Length == 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var bytes = repository.ReadBlob(hex, MetadataSerializer.MaxMetadataBytes);
        return bytes is null ? null : MetadataSerializer.TryParse(bytes, path);
    }

    private static ThetaMetadata? Load(string file, string path, ThetaMetadata? previous, GitRepository? repository)
    {
        if (file is "/dev/null" or "nul" || !File.Exists(file))
        {
            return null;
        }

        using var stream = File.OpenRead(file);
        var prefix = PrefixedStream.ReadPrefix(stream, 4096);
        if (MetadataSerializer.LooksLikeMetadata(prefix))
        {
            stream.Position = 0;
            var bytes = File.ReadAllBytes(file);
            if (MetadataSerializer.TryParse(bytes, path) is { } metadata)
            {
                return metadata;
            }
        }

        stream.Position = 0;
        var store = repository?.ObjectStore ?? new Core.Storage.LfsObjectStore(Path.Combine(Path.GetTempPath(), "git-theta-diff-unused"));
        var settings = repository?.Settings ?? Core.Configuration.ThetaSettings.Load(_ => null);
        var cleaner = new ThetaCleaner(store, settings, CheckpointFormatRegistry.Default, UpdateTypeRegistry.Default);
        var format = FormatAttribute(repository, path);
        return MetadataSerializer.Parse(cleaner.Clean(stream, path, previous, format, dryRun: true), path);
    }

    /// <summary>The theta-format attribute when the file is inside the work tree; none for files elsewhere.</summary>
    private static string? FormatAttribute(GitRepository? repository, string path)
    {
        if (repository?.WorkTree is not { } root)
        {
            return null;
        }

        try
        {
            return GitAttributes.Get(root, repository.RelativePath(path), GitAttributes.FormatAttribute);
        }
        catch (ThetaException)
        {
            return null;
        }
    }

    private static GitRepository? TryOpen()
    {
        try
        {
            return RepositoryContext.Open();
        }
        catch (ThetaException)
        {
            return null;
        }
    }

    private static bool UseColor() =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
}
