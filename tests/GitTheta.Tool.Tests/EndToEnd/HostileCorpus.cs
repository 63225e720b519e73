using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// The hostile-input corpus in tests/fixtures/hostile: its manifest (written with the files by make_hostile.py) and
/// the metadata mutations the cases that lie about a real object need.
/// </summary>
public static class HostileCorpus
{
    private static readonly Lazy<IReadOnlyList<HostileCase>> CasesLazy = new(Load);

    public static string Root => Path.Combine(FormatFixtures.Root, "hostile");

    public static IReadOnlyList<HostileCase> Cases => CasesLazy.Value;

    public static HostileCase Case(string name) => Cases.Single(c => c.Name == name);

    /// <summary>(case name, operation) for every case of a format: one theory row each.</summary>
    public static TheoryData<string, string> Rows(string format)
    {
        var rows = new TheoryData<string, string>();
        foreach (var hostile in Cases.Where(c => c.Format == format))
        {
            foreach (var operation in hostile.Operations)
            {
                rows.Add(hostile.Name, operation);
            }
        }

        return rows;
    }

    /// <summary>Applies a manifest mutation to metadata git-theta wrote: a size, or an update type, of a real entry.</summary>
    public static byte[] Mutate(string metadata, string mutation)
    {
        var document = JsonNode.Parse(metadata)!.AsObject();
        var parameters = document["parameters"]!.AsObject();
        var group = parameters.Select(p => p.Key).Order(StringComparer.Ordinal).First();
        if (mutation.StartsWith("update-type=", StringComparison.Ordinal))
        {
            parameters[group]!["update"]!["type"] = mutation["update-type=".Length..];
        }
        else
        {
            var match = Regex.Match(mutation, "^(object-size|container-size)([+=-])([0-9]+)$");
            Assert.True(match.Success, $"unknown mutation '{mutation}' in the hostile manifest");
            var target = match.Groups[1].Value == "object-size" ? parameters[group]!["object"]! : document["checkpoint"]!["container"]!;
            var size = target["size"]!.GetValue<long>();
            var value = long.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            target["size"] = match.Groups[2].Value switch { "+" => size + value, "-" => size - value, _ => value };
        }

        return System.Text.Encoding.UTF8.GetBytes(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static IReadOnlyList<HostileCase> Load()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "manifest.json")));
        return manifest.RootElement.GetProperty("cases").EnumerateArray().Select(c => new HostileCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("file").GetString()!,
            c.GetProperty("format").GetString()!,
            c.GetProperty("path").GetString()!,
            c.GetProperty("operations").EnumerateArray().Select(o => o.GetString()!).ToList(),
            c.GetProperty("code").GetString()!,
            c.GetProperty("exit").GetInt32(),
            c.GetProperty("why").GetString()!,
            c.TryGetProperty("mutation", out var mutation) ? mutation.GetString() : null,
            c.TryGetProperty("alternative", out var alternative) && alternative.GetString() == "accepted")).ToList();
    }
}
