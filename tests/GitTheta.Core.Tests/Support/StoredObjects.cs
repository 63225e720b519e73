using GitTheta.Core.Configuration;

namespace GitTheta.Core.Tests.Support;

/// <summary>
/// Settings that store every object, however small (no inline objects): for tests of the object store itself (object
/// counts, missing and corrupt objects), whose sample checkpoints have groups small enough to travel inline by default.
/// Inline objects have tests of their own (InlineObjectTests).
/// </summary>
internal static class StoredObjects
{
    public static ThetaSettings Settings { get; } = new() { InlineObjectBytes = 0 };
}
