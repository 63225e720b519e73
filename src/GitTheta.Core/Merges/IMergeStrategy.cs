namespace GitTheta.Core.Merges;

/// <summary>
/// Resolves a conflicting parameter group of a three-way merge. A strategy either keeps one version's entry or
/// computes new values in float64; the engine stores computed values as a dense object in the group's dtype.
/// Adding a strategy is adding one class to <see cref="MergeStrategyRegistry"/>.
/// </summary>
internal interface IMergeStrategy
{
    /// <summary>The name used in GIT_THETA_MERGE_STRATEGY, git config, gitattributes and the menu.</summary>
    string Name { get; }

    /// <summary>What the strategy does, in one line (the formula for numeric ones).</summary>
    string Description { get; }

    /// <summary>The numbers it takes (α, λ, weights); empty for strategies without.</summary>
    IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>Whether it can resolve this group: the versions it needs exist with matching dtypes and shapes.</summary>
    bool AppliesTo(MergeGroup group);

    /// <summary>What choosing it does to this group, for the interactive menu ("keep our value", "delete the group").</summary>
    string Describe(MergeGroup group);

    /// <summary>Null when the arguments fit together, else why not (checks across parameters, such as weights summing to at most 1).</summary>
    string? CheckArguments(MergeArguments arguments);

    GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments);
}
