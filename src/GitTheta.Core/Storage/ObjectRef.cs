namespace GitTheta.Core.Storage;

/// <summary>A stored object as metadata names it: its SHA-256 and its size in bytes.</summary>
internal sealed record ObjectRef(string Oid, long Size);
