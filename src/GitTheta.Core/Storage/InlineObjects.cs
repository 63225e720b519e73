using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Storage;

/// <summary>
/// Objects small enough to travel inside the metadata instead of the object store. An object of a few hundred bytes
/// (a bias, a norm, a small container) costs a file, an inode and a directory entry in the store, and a request of its
/// own on every push and fetch, for less data than its pointer; git stores and transfers small blobs far better. So
/// objects up to <c>theta.inlineObjectBytes</c> (4 KiB, one filesystem block, by default) are written into the
/// metadata as base64, byte for byte the object the store would have held, under the same oid, and checked against
/// it whenever metadata is read.
/// </summary>
internal static class InlineObjects
{
    /// <summary>The reference of the object made of <paramref name="header"/> and <paramref name="value"/>, with those bytes attached.</summary>
    public static ObjectRef Attach(ObjectRef reference, ReadOnlySpan<byte> header, ReadOnlySpan<byte> value)
    {
        var bytes = new byte[reference.Size];
        header.CopyTo(bytes);
        value.CopyTo(bytes.AsSpan(header.Length));
        return reference with { Inline = bytes };
    }

    /// <summary>
    /// The reference of inline bytes read from metadata, after checking them: they must be valid base64 of exactly
    /// <paramref name="size"/> bytes hashing to <paramref name="oid"/>; anything else is the error <paramref name="malformed"/> makes (GT2006).
    /// </summary>
    public static ObjectRef Read(string oid, long size, string base64, Func<string, ThetaException> malformed)
    {
        if (size > ThetaSettings.MaxInlineObjectBytes || base64.Length > (ThetaSettings.MaxInlineObjectBytes + 2) / 3 * 4)
        {
            throw malformed($"an inline object of {size} bytes is larger than the {ThetaSettings.MaxInlineObjectBytes} bytes metadata may carry");
        }

        var bytes = new byte[size];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != size)
        {
            throw malformed($"the inline bytes of object {oid} are not base64 of {size} bytes");
        }

        if (ObjectId.Of(bytes, ReadOnlySpan<byte>.Empty).Oid != oid)
        {
            throw malformed($"the inline bytes of object {oid} do not hash to that oid");
        }

        return new ObjectRef(oid, size) { Inline = bytes };
    }
}
