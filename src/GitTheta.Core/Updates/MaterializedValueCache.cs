namespace GitTheta.Core.Updates;

/// <summary>
/// Values rebuilt from update chains, least recently used first out, within a byte budget. One filter process
/// rebuilds the same value more than once (a clean compares with the staged value and builds on the committed one,
/// which are usually the same), and walking a deep chain is the expensive part of it.
/// </summary>
internal sealed class MaterializedValueCache
{
    public const long DefaultBudget = 128L << 20;

    private readonly long budget;
    private readonly LinkedList<(string Key, byte[] Value)> order = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, byte[] Value)>> entries = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private long used;

    public MaterializedValueCache(long budget = DefaultBudget)
    {
        this.budget = budget;
    }

    public long UsedBytes
    {
        get
        {
            lock (gate)
            {
                return used;
            }
        }
    }

    public bool TryGet(string key, out byte[] value)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out var node))
            {
                order.Remove(node);
                order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = Array.Empty<byte>();
        return false;
    }

    /// <summary>Keeps a copy of <paramref name="value"/>; values over half the budget are not kept (they would evict everything).</summary>
    public void Put(string key, ReadOnlySpan<byte> value)
    {
        if (value.Length > budget / 2)
        {
            return;
        }

        var copy = value.ToArray();
        lock (gate)
        {
            if (entries.ContainsKey(key))
            {
                return;
            }

            entries[key] = order.AddFirst((key, copy));
            used += copy.Length;
            while (used > budget && order.Last is { } last)
            {
                order.RemoveLast();
                entries.Remove(last.Value.Key);
                used -= last.Value.Value.Length;
            }
        }
    }
}
