namespace GitTheta.Core.Metadata;

/// <summary>How two versions of a checkpoint differ, from their metadata alone (no object is read).</summary>
internal sealed class MetadataDiff
{
    private MetadataDiff(IReadOnlyList<GroupChange> changes, int total)
    {
        Changes = changes;
        Total = total;
    }

    public IReadOnlyList<GroupChange> Changes { get; }

    /// <summary>Groups in either version.</summary>
    public int Total { get; }

    public int Added => Changes.Count(c => c.Kind == ChangeKind.Added);

    public int Removed => Changes.Count(c => c.Kind == ChangeKind.Removed);

    public int Modified => Changes.Count(c => c.Kind == ChangeKind.Modified);

    public static MetadataDiff Compare(ThetaMetadata? before, ThetaMetadata? after)
    {
        var old = before?.Parameters ?? new Dictionary<string, ParameterEntry>();
        var @new = after?.Parameters ?? new Dictionary<string, ParameterEntry>();
        var changes = new List<GroupChange>();
        foreach (var name in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            old.TryGetValue(name, out var a);
            @new.TryGetValue(name, out var b);
            if (a is null)
            {
                changes.Add(new GroupChange(name, ChangeKind.Added, null, b));
            }
            else if (b is null)
            {
                changes.Add(new GroupChange(name, ChangeKind.Removed, a, null));
            }
            else if (a.Object.Oid != b.Object.Oid || !a.Tensor.ToInfo(name).SameLayout(b.Tensor.ToInfo(name)) || !a.Update.Equals(b.Update))
            {
                changes.Add(new GroupChange(name, ChangeKind.Modified, a, b));
            }
        }

        return new MetadataDiff(changes, old.Keys.Union(@new.Keys).Count());
    }
}

internal enum ChangeKind
{
    Added,
    Removed,
    Modified,
}

/// <summary>One group that differs; the entries are null on the side where it does not exist.</summary>
internal sealed record GroupChange(string Name, ChangeKind Kind, ParameterEntry? Before, ParameterEntry? After);
