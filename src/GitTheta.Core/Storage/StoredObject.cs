namespace GitTheta.Core.Storage;

/// <summary>An object file found in the local store, with the size and modification time it had when listed.</summary>
internal sealed record StoredObject(string Oid, string Path, long Size, DateTime LastWriteTimeUtc);
