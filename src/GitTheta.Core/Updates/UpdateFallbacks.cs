namespace GitTheta.Core.Updates;

/// <summary>
/// Groups a clean stored dense although an incremental type was asked for, and why; reported once per file, one
/// line per reason, so a model of hundreds of groups does not print hundreds of lines.
/// </summary>
internal sealed class UpdateFallbacks
{
    private const int NamesPerLine = 5;
    private const int MaxLines = 10;

    private readonly Dictionary<string, List<string>> byReason = new(StringComparer.Ordinal);
    private readonly object gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return byReason.Values.Sum(g => g.Count);
            }
        }
    }

    /// <param name="reason">A phrase without group names, so that groups with the same reason share a line.</param>
    public void Add(string group, string reason)
    {
        lock (gate)
        {
            if (!byReason.TryGetValue(reason, out var groups))
            {
                byReason[reason] = groups = new List<string>();
            }

            groups.Add(group);
        }
    }

    /// <summary>One line per reason: "&lt;path&gt;: stored dense instead of &lt;type&gt;: &lt;names&gt;: &lt;reason&gt;."</summary>
    public IReadOnlyList<string> Lines(string path, string type)
    {
        lock (gate)
        {
            var reasons = byReason.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            var lines = reasons
                .Take(MaxLines)
                .Select(r =>
                {
                    var names = string.Join(", ", r.Value.Take(NamesPerLine).Select(n => $"'{n}'"));
                    var more = r.Value.Count > NamesPerLine ? $" and {r.Value.Count - NamesPerLine} more" : string.Empty;
                    var groups = r.Value.Count == 1 ? "parameter" : $"{r.Value.Count} parameters";
                    return $"{path}: stored dense instead of {type}: {groups} {names}{more}: {r.Key}.";
                })
                .ToList();
            if (reasons.Count > MaxLines)
            {
                var rest = reasons.Skip(MaxLines).Sum(r => r.Value.Count);
                lines.Add($"{path}: stored dense instead of {type}: {rest} more parameter(s), for other reasons of the same kinds.");
            }

            return lines;
        }
    }
}
