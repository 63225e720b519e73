using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Merges;

/// <summary>
/// The three-way merge of a checkpoint, one parameter group at a time. <see cref="Plan"/> decides from metadata alone
/// what each branch did to each group; <see cref="Complete"/> applies the automatic resolutions and the chosen
/// strategies, stores computed values as new dense objects, and picks or lays out the container. New objects reach
/// the store only when the whole merge succeeded.
/// </summary>
internal sealed class CheckpointMerger
{
    private readonly LfsObjectStore store;
    private readonly ThetaSettings settings;
    private readonly UpdateTypeRegistry updates;
    private readonly CheckpointFormatRegistry formats;
    private readonly ContainerComposerRegistry composers;
    private readonly IObjectFetcher? fetcher;

    /// <param name="engine">The store, settings, fetcher and registries of formats and update types the merge runs with.</param>
    /// <param name="composers">Lays out containers the merge has to build anew; null for the engine's (tests give fewer).</param>
    public CheckpointMerger(ThetaEngine engine, ContainerComposerRegistry? composers = null)
    {
        store = engine.Store;
        settings = engine.Settings;
        updates = engine.Updates;
        formats = engine.Formats;
        this.composers = composers ?? ContainerComposerRegistry.Default;
        fetcher = engine.Fetcher;
    }

    public MergePlan Plan(ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs, string path)
    {
        var classifier = new GroupStateClassifier(new EntryEquivalence(settings.Atol, settings.LshBucketWidth));
        return new MergePlan(path, ancestor, ours, theirs, classifier.Classify(ancestor, ours, theirs));
    }

    /// <summary>Merges every group; <paramref name="choices"/> must name an applicable strategy for each conflict.</summary>
    public MergeResult Complete(MergePlan plan, IReadOnlyDictionary<string, SelectedStrategy> choices)
    {
        using var transaction = new ObjectTransaction(store, inlineBytes: settings.InlineObjectBytes);
        var context = new StagingContext(store, transaction, settings, plan.Path) { Updates = updates, Fetcher = fetcher };
        var writer = new MergedValueWriter(context);
        var records = new List<GroupMergeRecord>();
        var merged = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        foreach (var group in plan.Groups)
        {
            var record = group.State.IsConflict()
                ? Resolve(plan, group, choices, context, writer)
                : new GroupMergeRecord(group, null, group.State.AutomaticSide(), group.State.AutomaticSide() is { } side ? group.Entry(side) : null);
            records.Add(record);
            if (record.Result is { } result)
            {
                merged[group.Name] = result;
            }
        }

        var (type, container, source) = Container(plan, merged, transaction);
        transaction.Commit();
        return new MergeResult(new ThetaMetadata(type, container, merged), records, source);
    }

    /// <summary>Null when <paramref name="strategy"/> can resolve the group, else the message that says why not.</summary>
    public static string? WhyNotApplicable(IMergeStrategy strategy, MergeGroup group) =>
        strategy.AppliesTo(group)
            ? null
            : $"strategy '{strategy.Name}' ({strategy.Description}) cannot resolve parameter '{group.Name}', which was {group.State.Describe()}"
              + (group.Has(MergeSide.Ours) && group.Has(MergeSide.Theirs) ? string.Empty : " (a numeric strategy needs the group on both branches)")
              + (group.Has(MergeSide.Base) ? string.Empty : " (the ancestor does not have it)");

    private GroupMergeRecord Resolve(MergePlan plan, MergeGroup group, IReadOnlyDictionary<string, SelectedStrategy> choices, UpdateContext context, MergedValueWriter writer)
    {
        if (!choices.TryGetValue(group.Name, out var selected))
        {
            throw new ThetaException(DiagnosticIds.MergeConflict, $"{plan.Path}: parameter '{group.Name}' was {group.State.Describe()} and no merge strategy was chosen for it; see docs/merging.md.");
        }

        var strategy = selected.Choice.Strategy;
        if (WhyNotApplicable(strategy, group) is { } problem)
        {
            throw new ThetaException(DiagnosticIds.MergeConflict, $"{plan.Path}: {problem} (chosen by {selected.Source}); choose ours, theirs or base for it, e.g. git config --add theta.merge.rule \"{group.Name}=ours\".");
        }

        var values = new GroupValueReader(group, context, fetcher);
        var resolution = strategy.Resolve(group, values, selected.Choice.Arguments);
        if (resolution.Side is { } side)
        {
            return new GroupMergeRecord(group, selected, side, group.Entry(side));
        }

        var info = group.Info(resolution.LayoutSide);
        if (resolution.Combiner is { } combine)
        {
            if (!group.HaveSameLayout(resolution.Operands!.Prepend(resolution.LayoutSide).ToArray()))
            {
                throw new InvalidOperationException($"strategy '{strategy.Name}' combines versions of '{group.Name}' with different dtypes or shapes");
            }

            return new GroupMergeRecord(group, selected, null, writer.Write(info, resolution.Operands!.Select(values.Bytes).ToList(), combine));
        }

        return new GroupMergeRecord(group, selected, null, writer.Write(info, resolution.Values!));
    }

    /// <summary>
    /// The container of the first version (ours, theirs, base) whose groups are exactly the merged ones with the same
    /// dtypes and shapes; otherwise a new one laid out through the format's composer, in our style and our order
    /// (groups we lack placed after their neighbours in the version that has them).
    /// </summary>
    private (string Type, ObjectRef Container, MergeSide? Source) Container(MergePlan plan, IReadOnlyDictionary<string, ParameterEntry> merged, ObjectTransaction transaction)
    {
        foreach (var side in new[] { MergeSide.Ours, MergeSide.Theirs, MergeSide.Base })
        {
            if (plan.Version(side) is { } version && SameLayout(merged, version))
            {
                return (version.CheckpointType, version.Container, side);
            }
        }

        var type = plan.Ours.CheckpointType;
        var resolve = $"resolve with 'git checkout --ours -- {plan.Path}' (or --theirs), or merge by hand with GIT_THETA_MANUAL_MERGE=1 (docs/merging.md)";
        if (!string.Equals(plan.Theirs.CheckpointType, type, StringComparison.OrdinalIgnoreCase))
        {
            throw new ThetaException(DiagnosticIds.MergeConflict, $"{plan.Path}: ours is a {type} checkpoint and theirs a {plan.Theirs.CheckpointType} one, and the merged groups fit neither file; {resolve}.");
        }

        var composer = composers.Find(type)
            ?? throw new ThetaException(DiagnosticIds.MergeConflict, $"{plan.Path}: the merged groups match no version's layout (groups, dtypes or shapes changed on both sides) and git-theta cannot lay out a new {type} file; {resolve}.");
        var format = formats.Get(type, plan.Path);
        var containers = new Dictionary<MergeSide, byte[]>();
        foreach (var side in new[] { MergeSide.Ours, MergeSide.Theirs, MergeSide.Base })
        {
            if (plan.Version(side) is { } version && string.Equals(version.CheckpointType, type, StringComparison.OrdinalIgnoreCase))
            {
                if (!store.Contains(version.Container) && fetcher is not null)
                {
                    fetcher.Fetch(new[] { version.Container });
                }

                containers[side] = ContainerObject.Read(store, version.Container, plan.Path);
            }
        }

        var orders = containers.OrderBy(c => c.Key).Select(c => format.DescribeContainer(c.Value, plan.Path).Select(t => t.Name).ToList()).ToList();
        var groups = MergeOrder(orders, merged.Keys).Select(name => merged[name].Tensor.ToInfo(name)).ToList();
        var bytes = composer.Compose(containers[MergeSide.Ours], groups, plan.Path);
        var described = format.DescribeContainer(bytes, plan.Path);
        if (described.Count != groups.Count || described.Zip(groups).Any(p => p.First.Name != p.Second.Name || !p.First.SameLayout(p.Second)))
        {
            throw new ThetaException(DiagnosticIds.UnexpectedError, $"{plan.Path}: the new {type} container does not describe the merged groups; this is a bug, please report it; meanwhile {resolve}.");
        }

        return (type, ContainerObject.Stage(transaction, bytes), null);
    }

    /// <summary>
    /// One data order for the merged groups: our order first; each group we lack goes right after the group that
    /// precedes it in the first other version that has it (or first, when nothing does).
    /// </summary>
    internal static List<string> MergeOrder(IReadOnlyList<IReadOnlyList<string>> orders, IEnumerable<string> names)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var anchor = 0;
            foreach (var name in order)
            {
                if (placed.Contains(name))
                {
                    anchor = result.IndexOf(name) + 1;
                }
                else if (wanted.Contains(name))
                {
                    result.Insert(anchor++, name);
                    placed.Add(name);
                }
            }
        }

        result.AddRange(wanted.Where(n => !placed.Contains(n)).Order(StringComparer.Ordinal));
        return result;
    }

    private static bool SameLayout(IReadOnlyDictionary<string, ParameterEntry> merged, ThetaMetadata version) =>
        merged.Count == version.Parameters.Count && merged.All(p => version.Parameters.TryGetValue(p.Key, out var e)
            && e.Tensor.DType == p.Value.Tensor.DType && e.Tensor.Shape.SequenceEqual(p.Value.Tensor.Shape));
}
