using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>What storing a group's value produced: the object, and the update description metadata records.</summary>
internal sealed record StoredValue(ObjectRef Object, UpdateDescription Update);
