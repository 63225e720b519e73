using System.Globalization;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;

// Reads one tensor of a checkpoint versioned with git-theta, as it was at a revision, and prints its first values.
// Usage: ReadTensorAtRevision <folder in the repository> <checkpoint path> <revision> <group> [count]
if (args.Length is < 4 or > 5)
{
    Console.Error.WriteLine("usage: ReadTensorAtRevision <folder in the repository> <checkpoint path> <revision> <group> [count]");
    return 2;
}

var count = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 4;
try
{
    using var repository = ThetaRepository.Open(args[0]);
    var checkpoint = repository.OpenCheckpoint(args[1], args[2]);
    Console.WriteLine($"{checkpoint.Path} at {checkpoint.Revision} (commit {checkpoint.Commit?[..12]}): {checkpoint.Groups.Count} groups, {checkpoint.ParameterCount} parameters");

    var group = checkpoint.Group(args[3]);
    Console.WriteLine($"{group.Name}: {group.DType} [{string.Join(", ", group.Shape)}], stored {group.UpdateType} in {group.StoredBytes} bytes");

    var values = checkpoint.ReadTensor<float>(group.Name);
    Console.WriteLine("values: " + string.Join(" ", values.Take(count).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    return 0;
}
catch (ThetaException e)
{
    // Every failure (no repository, unknown revision, missing file or group, unreachable objects) is one clear line.
    Console.Error.WriteLine($"error {e.Code}: {e.Message}");
    return 1;
}
