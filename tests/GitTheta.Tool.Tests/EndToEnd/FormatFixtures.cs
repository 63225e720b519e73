using System.Text.Json;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>The checkpoints real PyTorch made (tests/fixtures, see make_fixtures.py) and the tensor each changed/ twin changes.</summary>
public static class FormatFixtures
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

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string ChangedPathOf(string relative) => Path.Combine(Root, Path.GetDirectoryName(relative)!, "changed", Path.GetFileName(relative));

    public static byte[] Read(string relative) => File.ReadAllBytes(PathOf(relative));

    public static byte[] ReadChanged(string relative) => File.ReadAllBytes(ChangedPathOf(relative));

    public static string ChangedTensor(string relative)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "manifest.json")));
        return manifest.RootElement.GetProperty("changed").GetProperty(relative).GetString()!;
    }
}
