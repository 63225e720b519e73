namespace GitTheta.Core.Git;

/// <summary>A file as one commit holds it: the commit's id, the blob's id and its size in bytes.</summary>
internal sealed record RevisionBlob(string Commit, string BlobId, long Size);
