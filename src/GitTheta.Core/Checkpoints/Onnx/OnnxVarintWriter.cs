using GitTheta.Core.Checkpoints.Splicing;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// Writes an ONNX model some of whose initializers are varint-encoded typed fields. Their encoded size
/// depends on their values and is counted by length prefixes that come before them (the graph's comes
/// before every initializer), so every group is first encoded into a temp file, the prefixes are
/// recomputed, and the model is written out. A prefix whose value did not change keeps its original
/// bytes, so an unchanged model is rebuilt byte for byte.
/// </summary>
internal static class OnnxVarintWriter
{
    public static void Write(SplicedLayout layout, OnnxVarintLayout varints, ITensorDataSource tensors, Stream output)
    {
        var groups = layout.Groups;
        var path = Path.Combine(Path.GetTempPath(), $"gittheta-onnx-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        using var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        var lengths = new long[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var info = groups[g].Info;
            if (varints.EncodedLengths.ContainsKey(g))
            {
                var value = new MemoryStream(checked((int)info.ByteLength));
                tensors.CopyTo(info, value);
                var encoded = PackedVarintCodec.Encode(value.GetBuffer().AsSpan(0, (int)value.Length), info.DType);
                spool.Write(encoded);
                lengths[g] = encoded.Length;
            }
            else
            {
                var before = spool.Position;
                tensors.CopyTo(info, spool);
                lengths[g] = spool.Position - before;
            }
        }

        // Innermost prefixes first: a prefix counts the new widths of the prefixes inside it.
        var fields = varints.Fields;
        var values = new ulong[fields.Count];
        var widths = new int[fields.Count];
        for (var f = fields.Count - 1; f >= 0; f--)
        {
            var field = fields[f];
            var change = 0L;
            for (var g = field.FirstGroup; g < field.FirstGroup + field.GroupCount; g++)
            {
                change += lengths[g] - (varints.EncodedLengths.TryGetValue(g, out var original) ? original : groups[g].Info.ByteLength);
            }

            for (var inner = field.FirstField; inner < field.FirstField + field.FieldCount; inner++)
            {
                change += widths[inner] - fields[inner].Width;
            }

            values[f] = checked((ulong)((long)field.Value + change));
            widths[f] = values[f] == field.Value ? field.Width : PackedVarintCodec.Width(values[f]);
        }

        spool.Position = 0;
        var skeleton = layout.Skeleton.Span;
        var written = 0L;
        var nextField = 0;
        Span<byte> varint = stackalloc byte[10];
        for (var g = 0; g <= groups.Count; g++)
        {
            var until = g < groups.Count ? groups[g].Position : skeleton.Length;

            // Prefixes before this group's insertion point (a group goes before a prefix at the same position).
            while (nextField < fields.Count && fields[nextField].Position < until)
            {
                var field = fields[nextField];
                output.Write(skeleton[(int)written..(int)field.Position]);
                if (values[nextField] == field.Value)
                {
                    output.Write(skeleton.Slice((int)field.Position, field.Width));
                }
                else
                {
                    output.Write(varint[..PackedVarintCodec.Write(values[nextField], varint)]);
                }

                written = field.Position + field.Width;
                nextField++;
            }

            output.Write(skeleton[(int)written..(int)until]);
            written = until;
            if (g < groups.Count)
            {
                CopyExactly(spool, output, lengths[g]);
            }
        }
    }

    private static void CopyExactly(Stream source, Stream destination, long count)
    {
        var buffer = new byte[(int)Math.Min(count, 1 << 20)];
        while (count > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0)
            {
                throw new EndOfStreamException("The ONNX spool ended early.");
            }

            destination.Write(buffer, 0, read);
            count -= read;
        }
    }
}
