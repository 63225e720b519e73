using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// What an update type may use to store a value (clean, merge, squash): everything an <see cref="UpdateContext"/>
/// reads with, and the transaction new objects are staged in until the whole checkpoint is known to be good.
/// </summary>
internal sealed class StagingContext : UpdateContext
{
    /// <param name="store">The local object store values are read from.</param>
    /// <param name="transaction">Where new objects are staged.</param>
    /// <param name="settings">The settings in force.</param>
    /// <param name="path">The checkpoint's repository-relative path, for messages.</param>
    public StagingContext(LfsObjectStore store, ObjectTransaction transaction, ThetaSettings settings, string path)
        : base(store, settings, path)
    {
        Transaction = transaction;
    }

    /// <summary>Where new objects go; they reach the store only when it commits.</summary>
    public ObjectTransaction Transaction { get; }
}
