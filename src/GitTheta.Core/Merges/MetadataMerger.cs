using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>
/// The three-way merge of checkpoint metadata, one parameter group at a time, from metadata alone:
/// a group changed on one side only takes that side; changed identically on both is kept; deleted on
/// both is gone. Anything else is a conflict for a strategy to resolve.
/// </summary>
public static class MetadataMerger
{
    public static MergeOutcome Merge(ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs, Func<string, MergeSide?> takeSide)
    {
        var merged = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        var baseGroups = ancestor?.Parameters ?? new Dictionary<string, ParameterEntry>();
        var names = baseGroups.Keys.Union(ours.Parameters.Keys).Union(theirs.Parameters.Keys).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            baseGroups.TryGetValue(name, out var b);
            ours.Parameters.TryGetValue(name, out var o);
            theirs.Parameters.TryGetValue(name, out var t);
            ParameterEntry? result;
            if (Same(o, t))
            {
                result = o;
            }
            else if (Same(o, b))
            {
                result = t;
            }
            else if (Same(t, b))
            {
                result = o;
            }
            else
            {
                var side = takeSide(name);
                if (side is null)
                {
                    conflicts.Add(name);
                    continue;
                }

                result = side switch
                {
                    MergeSide.Ours => o,
                    MergeSide.Theirs => t,
                    _ => b,
                };
            }

            if (result is not null)
            {
                merged[name] = result;
            }
        }

        return new MergeOutcome(merged, conflicts);
    }

    private static bool Same(ParameterEntry? a, ParameterEntry? b) =>
        (a is null && b is null) || (a is not null && b is not null && a.Object.Oid == b.Object.Oid && a.Update.Equals(b.Update)
            && a.Tensor.DType == b.Tensor.DType && a.Tensor.Shape.SequenceEqual(b.Tensor.Shape));
}

/// <summary>The groups a merge resolved, and the names of those it could not.</summary>
public sealed record MergeOutcome(IReadOnlyDictionary<string, ParameterEntry> Parameters, IReadOnlyList<string> Conflicts);
