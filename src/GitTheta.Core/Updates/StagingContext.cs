using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// What an update type may use to store a value (clean, merge, squash): everything an <see cref="UpdateContext"/>
/// reads with, and the transaction new objects are staged in until the whole checkpoint is known to be good.
/// </summary>
public sealed class StagingContext : UpdateContext
{
    public StagingContext(LfsObjectStore store, ObjectTransaction transaction, ThetaSettings settings, string path)
        : base(store, settings, path)
    {
        Transaction = transaction;
    }

    /// <summary>Where new objects go; they reach the store only when it commits.</summary>
    public ObjectTransaction Transaction { get; }
}
