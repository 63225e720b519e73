using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Updates;

/// <summary>Every update type the engine knows; adding one is adding one class here.</summary>
internal sealed class UpdateTypeRegistry
{
    private readonly Dictionary<string, IUpdateType> types;

    public UpdateTypeRegistry(IEnumerable<IUpdateType> types)
    {
        this.types = types.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public static UpdateTypeRegistry Default { get; } = new(new IUpdateType[] { new DenseUpdate(), new SparseUpdate(), new LowRankUpdate(), new Ia3Update() });

    public IEnumerable<string> Names => types.Keys.Order(StringComparer.Ordinal);

    public IUpdateType Get(string name, string where) =>
        types.TryGetValue(name, out var type)
            ? type
            : throw new ThetaException(DiagnosticIds.UnknownUpdateType, $"{where}: unknown update type '{name}'. Known types: {string.Join(", ", Names)}.");
}
