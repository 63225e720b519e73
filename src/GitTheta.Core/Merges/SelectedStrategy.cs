namespace GitTheta.Core.Merges;

/// <summary>The strategy chosen for a group and where the choice came from ("GIT_THETA_MERGE_STRATEGY", "you", …), for summaries and errors.</summary>
internal sealed record SelectedStrategy(StrategyChoice Choice, string Source);
