namespace GitTheta.Core.Storage;

/// <summary>A file in the store's tmp/ folder, with the size it had when it was removed (or found, in a dry run).</summary>
internal sealed record TempFile(string Path, long Size);
