namespace GitTheta.Core.IO;

/// <summary>
/// Where a long piece of work stands (objects fetched, commits rewritten, objects removed), reported when it starts,
/// after each item and when it ends, so a front end can draw a meter without Core knowing about terminals.
/// </summary>
/// <param name="BytesTotal">0 when the work counts items only.</param>
internal readonly record struct WorkProgress(int Done, int Total, long BytesDone, long BytesTotal, bool Finished);
