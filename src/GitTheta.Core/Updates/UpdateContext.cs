using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>What an update type may use: the object store, the objects staged by this clean, and the settings.</summary>
public sealed class UpdateContext
{
    public UpdateContext(LfsObjectStore store, ObjectTransaction transaction, ThetaSettings settings, string path)
    {
        Store = store;
        Transaction = transaction;
        Settings = settings;
        Path = path;
    }

    public LfsObjectStore Store { get; }

    public ObjectTransaction Transaction { get; }

    public ThetaSettings Settings { get; }

    /// <summary>The checkpoint's repository-relative path, for messages.</summary>
    public string Path { get; }
}
