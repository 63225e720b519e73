using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// The ONNX part of a spliced container (its extra bytes), present only when some initializers are
/// varint-encoded typed fields: which groups are encoded and how long they were, and the length
/// prefixes around them (the packed field, the TensorProto, the graph), so a value whose encoding
/// changes size still gives a valid model.
/// </summary>
internal sealed record OnnxVarintLayout(IReadOnlyDictionary<int, long> EncodedLengths, IReadOnlyList<OnnxLengthField> Fields)
{
    public byte[] Serialize()
    {
        var output = new MemoryStream();
        using var writer = new BinaryWriter(output);
        writer.Write7BitEncodedInt64(EncodedLengths.Count);
        foreach (var (group, length) in EncodedLengths.OrderBy(p => p.Key))
        {
            writer.Write7BitEncodedInt64(group);
            writer.Write7BitEncodedInt64(length);
        }

        writer.Write7BitEncodedInt64(Fields.Count);
        foreach (var field in Fields)
        {
            writer.Write7BitEncodedInt64(field.Position);
            writer.Write7BitEncodedInt64(field.Width);
            writer.Write7BitEncodedInt64((long)field.Value);
            writer.Write7BitEncodedInt64(field.FirstGroup);
            writer.Write7BitEncodedInt64(field.GroupCount);
            writer.Write7BitEncodedInt64(field.FirstField);
            writer.Write7BitEncodedInt64(field.FieldCount);
        }

        writer.Flush();
        return output.ToArray();
    }

    /// <summary>Parses and checks the extra bytes of a stored container against its groups and skeleton.</summary>
    public static OnnxVarintLayout Parse(ReadOnlyMemory<byte> extra, int groupCount, long skeletonLength, string path)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(extra.ToArray(), writable: false));
            var encoded = new Dictionary<int, long>();
            var count = Bounded(reader.Read7BitEncodedInt64(), groupCount);
            for (var i = 0; i < count; i++)
            {
                encoded[(int)Bounded(reader.Read7BitEncodedInt64(), groupCount - 1)] = Bounded(reader.Read7BitEncodedInt64(), int.MaxValue);
            }

            var fields = new List<OnnxLengthField>();
            var fieldCount = Bounded(reader.Read7BitEncodedInt64(), extra.Length);
            for (var i = 0; i < fieldCount; i++)
            {
                var field = new OnnxLengthField(
                    Bounded(reader.Read7BitEncodedInt64(), skeletonLength),
                    (int)Bounded(reader.Read7BitEncodedInt64(), 10),
                    (ulong)Bounded(reader.Read7BitEncodedInt64(), long.MaxValue),
                    (int)Bounded(reader.Read7BitEncodedInt64(), groupCount),
                    (int)Bounded(reader.Read7BitEncodedInt64(), groupCount),
                    (int)Bounded(reader.Read7BitEncodedInt64(), fieldCount),
                    (int)Bounded(reader.Read7BitEncodedInt64(), fieldCount));
                if (field.Width == 0 || field.Position + field.Width > skeletonLength || field.FirstGroup + field.GroupCount > groupCount
                    || field.FirstField + field.FieldCount > fieldCount || (i > 0 && field.Position <= fields[^1].Position))
                {
                    throw new InvalidDataException();
                }

                fields.Add(field);
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException();
            }

            return new OnnxVarintLayout(encoded, fields);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or OverflowException)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{path}: the stored ONNX container's typed-field layout is malformed; run 'git theta verify'.");
        }
    }

    private static long Bounded(long value, long maximum) => value >= 0 && value <= maximum ? value : throw new InvalidDataException();
}
