using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>
/// One value below an incremental update in its chain: the update type that stored it and its object. The last link
/// of a chain is a value that needs nothing below it (dense).
/// </summary>
internal sealed record UpdateLink(string Type, ObjectRef Object);
