using System.Buffers.Binary;
using System.IO.Hashing;
using GitTheta.Core.IO;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Writes a <see cref="SplicedLayout"/>: skeleton bytes with each group's data put back in, asking
/// for the groups in layout order. CRC-32 fields are recomputed from the data written, so a changed
/// group still gives a valid file and an unchanged one gives the original bytes.
/// </summary>
internal static class SplicedWriter
{
    public static void Write(SplicedLayout layout, ITensorDataSource tensors, Stream output)
    {
        var hasCrc = layout.Groups.Any(g => g.Crc32At.Count > 0);
        // Only CRC fields are ever rewritten, so a copy is needed only when there are some.
        Memory<byte> skeleton = hasCrc ? layout.Skeleton.ToArray() : default;
        var source = hasCrc ? skeleton : layout.Skeleton;
        long written = 0;
        foreach (var group in layout.Groups)
        {
            if (group.Crc32At.Count == 0)
            {
                output.Write(source.Span[(int)written..(int)group.Position]);
                tensors.CopyTo(group.Info, output);
            }
            else if (group.Crc32At.Any(p => p < group.Position))
            {
                // A CRC before the data (a zip local header without data descriptor): the data must be known first.
                if (group.Info.ByteLength > Array.MaxLength)
                {
                    throw new Diagnostics.ThetaException(
                        Diagnostics.DiagnosticIds.InvalidCheckpoint,
                        $"parameter group '{group.Info.Name}' is {group.Info.ByteLength} bytes and its archive stores the CRC-32 before the data, so it cannot be rebuilt without holding it whole; save the checkpoint with torch.save (which writes the CRC after the data) and add it again.");
                }

                var data = new MemoryStream((int)group.Info.ByteLength);
                tensors.CopyTo(group.Info, data);
                Patch(skeleton.Span, group, Crc32.HashToUInt32(data.GetBuffer().AsSpan(0, (int)data.Length)));
                output.Write(source.Span[(int)written..(int)group.Position]);
                output.Write(data.GetBuffer(), 0, (int)data.Length);
            }
            else
            {
                output.Write(source.Span[(int)written..(int)group.Position]);
                var hashing = new Crc32Stream(output);
                tensors.CopyTo(group.Info, hashing);
                Patch(skeleton.Span, group, hashing.Crc);
            }

            written = group.Position;
        }

        output.Write(source.Span[(int)written..]);
    }

    private static void Patch(Span<byte> skeleton, SplicedGroup group, uint crc)
    {
        foreach (var at in group.Crc32At)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(skeleton.Slice((int)at, 4), crc);
        }
    }

    /// <summary>Passes writes through while computing their CRC-32.</summary>
    private sealed class Crc32Stream : WriteOnlyStream
    {
        /// <summary>From this size on, the CRC of a write is computed on another core while the bytes go out.</summary>
        private const int ParallelThreshold = 1 << 20;

        private readonly Stream inner;
        private readonly Crc32 crc = new();

        public Crc32Stream(Stream inner)
        {
            this.inner = inner;
        }

        public uint Crc => crc.GetCurrentHashAsUInt32();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (count < ParallelThreshold)
            {
                Write(buffer.AsSpan(offset, count));
                return;
            }

            // The caller keeps the buffer until Write returns, so both may read it at once.
            var hashing = Task.Run(() => crc.Append(buffer.AsSpan(offset, count)));
            try
            {
                inner.Write(buffer, offset, count);
            }
            finally
            {
                hashing.Wait();
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            crc.Append(buffer);
            inner.Write(buffer);
        }
    }
}
