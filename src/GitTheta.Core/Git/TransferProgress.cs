namespace GitTheta.Core.Git;

/// <summary>
/// Where a transfer of objects stands, reported when it starts, after each object and when it ends, so a front end can
/// draw a meter without Core knowing about terminals.
/// </summary>
internal readonly record struct TransferProgress(int Done, int Total, long BytesDone, long BytesTotal, bool Finished);
