using System.Text.Json;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Checkpoints;

/// <summary>The checkpoints in tests/fixtures (made by make_fixtures.py with real PyTorch), and round-trip helpers.</summary>
internal static class FormatFixtures
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures");
            if (File.Exists(Path.Combine(candidate, "manifest.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/fixtures/manifest.json not found above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootLazy.Value;

    public static byte[] Read(string relative) => File.ReadAllBytes(Path.Combine(Root, relative));

    public static byte[] ReadChanged(string relative) =>
        File.ReadAllBytes(Path.Combine(Root, Path.GetDirectoryName(relative)!, "changed", Path.GetFileName(relative)));

    /// <summary>The tensor make_fixtures.py changed in changed/&lt;fixture&gt;.</summary>
    public static string ChangedTensor(string relative)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "manifest.json")));
        return manifest.RootElement.GetProperty("changed").GetProperty(relative).GetString()!;
    }

    public sealed record ReadResult(List<(TensorInfo Info, byte[] Data)> Groups, byte[] Container);

    /// <summary>Reads every group the way clean does (odd-sized reads, a stream that is not a file).</summary>
    public static ReadResult ReadAll(ICheckpointFormat format, byte[] file, string path = "model")
    {
        using var reader = format.OpenReader(new Support.TrickleStream(file, 777), path);
        var groups = new List<(TensorInfo, byte[])>();
        var buffer = new byte[333];
        while (reader.Next() is { } info)
        {
            var data = new MemoryStream();
            int n;
            while ((n = reader.ReadData(buffer)) > 0)
            {
                data.Write(buffer, 0, n);
            }

            Assert.Equal(info.ByteLength, data.Length);
            groups.Add((info, data.ToArray()));
        }

        return new ReadResult(groups, reader.Complete());
    }

    /// <summary>Writes a checkpoint back from a container and group values, checking the order they are asked for.</summary>
    public static byte[] Write(ICheckpointFormat format, byte[] container, IReadOnlyDictionary<string, byte[]> values)
    {
        var source = new Support.InMemoryTensorSource(values);
        var output = new MemoryStream();
        format.Write(container, source, output, "model");
        Assert.Equal(format.DescribeContainer(container, "model").Select(i => i.Name), source.Requested);
        return output.ToArray();
    }

    public static byte[] RoundTrip(ICheckpointFormat format, byte[] file)
    {
        var read = ReadAll(format, file);
        return Write(format, read.Container, read.Groups.ToDictionary(g => g.Info.Name, g => g.Data));
    }
}
