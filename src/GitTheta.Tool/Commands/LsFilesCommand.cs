using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Lists the files in the index that git-theta tracks, as <c>git lfs ls-files</c> lists its own.</summary>
internal static partial class LsFilesCommand
{
    public static Command Create()
    {
        var full = new Option<bool>("--long", "-l") { Description = "Show the full id of the metadata blob, and '*' when the working file is the checkpoint or '-' when it is still metadata (not fetched)." };
        var size = new Option<bool>("--size", "-s") { Description = "Show the size of the parameters and the number of parameter groups." };
        var json = new Option<bool>("--json") { Description = "Print a JSON document instead: name, oid, checkout, format, size, groups for each file." };
        var command = new Command("ls-files", "List the checkpoints in the index that git-theta tracks.");
        command.Options.Add(full);
        command.Options.Add(size);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var entries = TrackedCheckpoints.InIndex(root, Array.Empty<string>());
            if (!parse.GetValue(full) && !parse.GetValue(size) && !parse.GetValue(json))
            {
                foreach (var entry in entries)
                {
                    Console.WriteLine(entry.Path);
                }

                return ExitCode.Success;
            }

            var files = entries.Where(e => e.Stage == 0).Select(e => Describe(repository, root, e)).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new ListedFiles(files), ListingJson.Default.ListedFiles));
                return ExitCode.Success;
            }

            foreach (var file in files)
            {
                var oid = parse.GetValue(full) ? file.Oid : file.Oid[..10];
                var sized = parse.GetValue(size) ? $" ({ByteSize.Format(file.Size)}, {file.Groups} groups)" : string.Empty;
                Console.WriteLine($"{oid} {(file.Checkout ? '*' : '-')} {file.Name}{sized}");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    public static IReadOnlyList<string> TrackedFiles(string root) =>
        TrackedCheckpoints.InIndex(root, Array.Empty<string>()).Select(e => e.Path).ToList();

    private static ListedFile Describe(ThetaRepository repository, string root, IndexEntry entry)
    {
        var metadata = repository.ReadMetadata(entry.BlobId, entry.Path);
        var working = Path.Combine(root, entry.Path);
        var checkout = File.Exists(working) && !ThetaRepository.IsMetadata(working);
        return new ListedFile(
            entry.Path,
            entry.BlobId,
            checkout,
            metadata?.CheckpointType,
            metadata?.Parameters.Values.Sum(p => p.Tensor.ToInfo(string.Empty).ByteLength) ?? 0,
            metadata?.Parameters.Count ?? 0);
    }

    /// <summary>Source-generated, so that the native (AOT) build of the tool can write the listing.</summary>
    [JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(ListedFiles))]
    private sealed partial class ListingJson : JsonSerializerContext;

    private sealed record ListedFiles(IReadOnlyList<ListedFile> Files);

    /// <summary>One line (or JSON object) of the listing; Size is the bytes of the parameter values, as checked out.</summary>
    private sealed record ListedFile(string Name, string Oid, bool Checkout, string? Format, long Size, int Groups);
}
