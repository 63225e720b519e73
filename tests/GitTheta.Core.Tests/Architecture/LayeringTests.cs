using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tests.Architecture;

/// <summary>
/// GitTheta.Core is built in layers that only look down (docs/architecture.md): a namespace may use the namespaces on
/// the rows below its own, never one on its own row or above. Checked on the compiled assembly, so every reference
/// counts, including those in method bodies and lambdas.
/// </summary>
public class LayeringTests
{
    private const string Root = "GitTheta.Core.";

    /// <summary>Bottom to top. Names on one row are peers and may not use each other.</summary>
    internal static readonly string[][] Layers =
    [
        ["Diagnostics"],
        ["Configuration"],
        ["IO"],
        ["Tensors"],
        ["Hashing", "Checkpoints"],
        ["Storage"],
        ["Metadata"],
        ["Git"],
        ["Updates"],
        ["Filters"],
        ["Diffing", "Merges"],
        ["Repositories"],
    ];

    /// <summary>The built GitTheta.Core, or another build named by GIT_THETA_LAYERING_ASSEMBLY (to check an older commit).</summary>
    private static readonly Lazy<IReadOnlyCollection<(string User, string Used)>> References = new(() => TypeReferenceScanner.Scan(
        Environment.GetEnvironmentVariable("GIT_THETA_LAYERING_ASSEMBLY") is { Length: > 0 } other ? other : typeof(ThetaException).Assembly.Location));

    [Fact]
    public void No_namespace_uses_one_on_its_own_row_or_above()
    {
        var violations = Violations(Layers);
        Assert.True(violations.Count == 0, "Upward or sideways references in GitTheta.Core:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_namespace_of_the_assembly_has_a_row()
    {
        var known = Layers.SelectMany(row => row).ToHashSet(StringComparer.Ordinal);
        var unplaced = References.Value
            .SelectMany(pair => new[] { pair.User, pair.Used })
            .Select(LayerOf)
            .Where(layer => layer is not null && !known.Contains(layer))
            .Distinct()
            .ToList();
        Assert.True(unplaced.Count == 0, "Namespaces with no row in LayeringTests.Layers: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void The_scan_sees_references_made_only_inside_method_bodies()
    {
        // GitAttributes is a static class: the attribute reader names it only in a call inside a method body (its
        // fallback), never in a field or a signature. If bodies were not read, this pair would be missing.
        Assert.Contains(("GitTheta.Core.Git.AttributeReader", "GitTheta.Core.Git.GitAttributes"), References.Value);
    }

    [Fact]
    public void A_loop_is_reported_when_the_rows_are_turned_upside_down()
    {
        var reversed = Layers.Reverse().ToArray();
        var violations = Violations(reversed);
        Assert.Contains(violations, violation => violation.StartsWith("Filters.FilterProcessServer -> Git.", StringComparison.Ordinal));
    }

    private static List<string> Violations(string[][] layers)
    {
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < layers.Length; row++)
        {
            foreach (var name in layers[row])
            {
                rank[name] = row;
            }
        }

        return References.Value
            .Select(pair => (pair.User, pair.Used, UserLayer: LayerOf(pair.User), UsedLayer: LayerOf(pair.Used)))
            .Where(pair => pair.UserLayer is not null && pair.UsedLayer is not null && pair.UserLayer != pair.UsedLayer)
            .Where(pair => rank.TryGetValue(pair.UserLayer!, out var user) && rank.TryGetValue(pair.UsedLayer!, out var used) && used >= user)
            .Select(pair => $"{pair.User[Root.Length..]} -> {pair.Used[Root.Length..]}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The first namespace segment under GitTheta.Core (Checkpoints.PyTorch is Checkpoints), or null for types outside it.</summary>
    private static string? LayerOf(string fullName)
    {
        if (!fullName.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = fullName[Root.Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? null : rest[..dot];
    }
}
