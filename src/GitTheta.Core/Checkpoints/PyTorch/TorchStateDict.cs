using System.Globalization;
using System.Numerics;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// The tensors an unpickled checkpoint holds, by name: keys of nested dicts (and indices of lists)
/// joined by '/', in the order the pickle lists them. A bare storage counts as a tensor over all of it.
/// A container reached a second time (the same dict under two keys) is not walked again: its tensors
/// keep their first names, and a pickle whose containers share each other cannot make the walk explode.
/// </summary>
internal static class TorchStateDict
{
    public const char Separator = '/';

    /// <summary>A top-level tensor (torch.save(tensor, path)) has no key; it is named this.</summary>
    public const string RootName = "tensor";

    private const int MaxDepth = 64;

    public static IReadOnlyList<(string Name, TorchTensorView View)> Tensors(object? root, string where)
    {
        var found = new List<(string, TorchTensorView)>();
        new Walker(found, where).Walk(root, null, 0);
        return found;
    }

    private sealed class Walker
    {
        private readonly List<(string, TorchTensorView)> found;
        private readonly string where;
        private readonly HashSet<object> visited = new(ReferenceEqualityComparer.Instance);

        public Walker(List<(string, TorchTensorView)> found, string where)
        {
            this.found = found;
            this.where = where;
        }

        public void Walk(object? value, string? name, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{where} nests containers more than {MaxDepth} deep (or contains itself); git-theta does not read it.");
            }

            if (value is PickleDict or PickleList or PickleTuple && !visited.Add(value))
            {
                return;
            }

            switch (value)
            {
                case TorchTensorView view:
                    found.Add((name ?? RootName, view));
                    break;
                case TorchStorageRef storage:
                    found.Add((name ?? RootName, new TorchTensorView(storage, 0, new[] { storage.ElementCount }, new[] { 1L })));
                    break;
                case PickleDict dict:
                    foreach (var (key, item) in dict.Items)
                    {
                        if (Holds(item))
                        {
                            Walk(item, Join(name, KeyText(key, where)), depth + 1);
                        }
                    }

                    break;
                case PickleList list:
                    Items(list.Items, name, depth);
                    break;
                case PickleTuple tuple:
                    Items(tuple.Items, name, depth);
                    break;
            }
        }

        private void Items(IReadOnlyList<object?> items, string? name, int depth)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (Holds(items[i]))
                {
                    Walk(items[i], Join(name, i.ToString(CultureInfo.InvariantCulture)), depth + 1);
                }
            }
        }
    }

    /// <summary>Only containers and tensors can hold tensors; other values (numbers, strings) are skipped without naming them.</summary>
    private static bool Holds(object? value) => value is TorchTensorView or TorchStorageRef or PickleDict or PickleList or PickleTuple;

    private static string Join(string? prefix, string key) => prefix is null ? key : prefix + Separator + key;

    private static string KeyText(object? key, string where) => key switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{where} has a tensor under a dict key that is neither a string nor an integer; git-theta cannot name it."),
    };
}
