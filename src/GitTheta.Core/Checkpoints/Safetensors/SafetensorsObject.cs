using System.Buffers.Binary;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Safetensors;

/// <summary>
/// The bytes of a stored object: a minimal, canonical safetensors file holding named tensors,
/// so any safetensors reader can open any object, and equal values always give the same oid.
/// </summary>
internal static class SafetensorsObject
{
    /// <summary>The header (length prefix included) for tensors laid out back to back in the given order.</summary>
    public static byte[] BuildHeader(IReadOnlyList<(string Name, DType DType, IReadOnlyList<long> Shape)> tensors)
    {
        var json = new StringBuilder("{");
        long offset = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, dtype, shape) = tensors[i];
            var length = checked(TensorInfo.CountElements(shape, name) * DTypes.SizeOf(dtype));
            if (i > 0)
            {
                json.Append(',');
            }

            json.Append('"').Append(name).Append("\":{\"dtype\":\"").Append(DTypes.Name(dtype)).Append("\",\"shape\":[")
                .Append(string.Join(",", shape)).Append("],\"data_offsets\":[").Append(offset).Append(',').Append(offset + length).Append("]}");
            offset += length;
        }

        json.Append('}');
        while ((json.Length % 8) != 0)
        {
            json.Append(' ');
        }

        var jsonBytes = Encoding.UTF8.GetBytes(json.ToString());
        var header = new byte[8 + jsonBytes.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)jsonBytes.Length);
        jsonBytes.CopyTo(header, 8);
        return header;
    }

    /// <summary>Reads an object's header from the start of <paramref name="input"/>, leaving the stream at the data.</summary>
    public static SafetensorsHeader ReadHeader(Stream input, string what)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (input.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) != 8)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: the stored object is truncated; run 'git theta verify' and re-fetch it.");
        }

        long length;
        try
        {
            length = SafetensorsHeader.ReadLength(prefix, what);
        }
        catch (ThetaException e)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, e.Message);
        }

        var json = new byte[length];
        if (input.ReadAtLeast(json, json.Length, throwOnEndOfStream: false) != json.Length)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: the stored object is truncated; run 'git theta verify' and re-fetch it.");
        }

        return StoredBytes.Parse(what, "the stored object", () => SafetensorsHeader.Parse(json, what));
    }
}
