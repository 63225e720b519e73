namespace GitTheta.Core.Storage;

/// <summary>
/// Read access to stored objects and nothing else: what checkout, diff and merge need to read values, so a path that
/// only reads holds no transaction and cannot write. Every read is verified against the object's SHA-256.
/// </summary>
internal interface IObjectReader
{
    /// <summary>Opens an object; every byte read is hashed, and the stream fails with GT2008 at its end if the bytes are not the object.</summary>
    VerifyingReadStream OpenRead(string oid, string what);

    /// <summary>Opens the object a reference names: its inline bytes when the metadata carries them, else the stored object; verified the same way.</summary>
    VerifyingReadStream OpenRead(ObjectRef reference, string what);
}
