namespace GitTheta.Core.Tests.Filters;

/// <summary>
/// Tests that measure allocations with <see cref="GC.GetTotalAllocatedBytes(bool)"/>: that counter is process-wide, so
/// a class allocating in parallel made them fail (2 of 3 runs). A per-thread counter would miss the cleaner's
/// worker threads, so these run alone instead.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuringCollection
{
    public const string Name = "Allocation-measuring tests (run alone)";
}
