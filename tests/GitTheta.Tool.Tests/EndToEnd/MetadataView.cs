using System.Text.Json;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>The parts of committed git-theta metadata the update tests look at, read as plain JSON.</summary>
internal sealed class MetadataView
{
    private MetadataView(IReadOnlyDictionary<string, Entry> entries)
    {
        Entries = entries;
    }

    public IReadOnlyDictionary<string, Entry> Entries { get; }

    public Entry this[string name] => Entries[name];

    public static MetadataView Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var group in document.RootElement.GetProperty("parameters").EnumerateObject())
        {
            var update = group.Value.GetProperty("update");
            var chain = update.TryGetProperty("chain", out var links) ? links.EnumerateArray().Select(l => l.GetString()!).ToList() : new List<string>();
            var reference = group.Value.GetProperty("object");
            entries[group.Name] = new Entry(
                update.GetProperty("type").GetString()!,
                update.TryGetProperty("base", out var commit) ? commit.GetString() : null,
                chain,
                reference.GetProperty("oid").GetString()!,
                reference.GetProperty("size").GetInt64());
        }

        return new MetadataView(entries);
    }

    /// <summary>One group's entry: its update type, the commit it builds on, its chain ("type oid size", nearest first) and its object.</summary>
    public sealed record Entry(string Type, string? Base, IReadOnlyList<string> Chain, string Oid, long Size)
    {
        public int Depth => Chain.Count;
    }
}
