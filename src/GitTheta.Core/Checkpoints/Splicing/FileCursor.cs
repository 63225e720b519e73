using System.Buffers.Binary;
using System.Text;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// A forward reader over part of an <see cref="IByteSource"/> for parsing headers. Every read is
/// checked against the end of the part first, so a length field can never make it allocate or
/// read more than the part holds. <see cref="Fail"/> words the error for the format.
/// </summary>
internal sealed class FileCursor
{
    private const int BufferSize = 64 << 10;

    private readonly IByteSource file;
    private readonly ReadBuffer cache;

    /// <param name="fail">Builds the error for a read that would pass <paramref name="end"/>; gets what was being read.</param>
    public FileCursor(IByteSource file, long position, long end, Func<string, ThetaException> fail)
        : this(file, new ReadBuffer(), position, end, fail)
    {
    }

    private FileCursor(IByteSource file, ReadBuffer cache, long position, long end, Func<string, ThetaException> fail)
    {
        this.file = file;
        this.cache = cache;
        Position = position;
        End = end;
        Fail = fail;
    }

    public long Position { get; private set; }

    public long End { get; }

    public long Remaining => End - Position;

    public Func<string, ThetaException> Fail { get; }

    /// <summary>What <see cref="Fail"/> is told after the field's name when a varint runs past 10 bytes: corrupt data, not a truncated file.</summary>
    public const string OverlongVarint = "(a varint longer than 64 bits)";

    /// <summary>Another cursor over <paramref name="position"/>..<paramref name="end"/> of the same file, sharing this one's buffer.</summary>
    public FileCursor Slice(long position, long end, Func<string, ThetaException> fail) => new(file, cache, position, end, fail);

    public void Seek(long position)
    {
        if (position < 0 || position > End)
        {
            throw Fail($"a position ({position}) outside the file");
        }

        Position = position;
    }

    public void Skip(long count, string what)
    {
        Require(count, what);
        Position += count;
    }

    public byte ReadByte(string what)
    {
        Span<byte> one = stackalloc byte[1];
        Read(one, what);
        return one[0];
    }

    public ushort ReadUInt16(string what)
    {
        Span<byte> bytes = stackalloc byte[2];
        Read(bytes, what);
        return BinaryPrimitives.ReadUInt16LittleEndian(bytes);
    }

    public uint ReadUInt32(string what)
    {
        Span<byte> bytes = stackalloc byte[4];
        Read(bytes, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public ulong ReadUInt64(string what)
    {
        Span<byte> bytes = stackalloc byte[8];
        Read(bytes, what);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>A protobuf base-128 varint (at most 10 bytes).</summary>
    public ulong ReadVarint(string what)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte(what);
            if (shift == 63 && b > 1)
            {
                throw Fail($"{what} {OverlongVarint}");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Fail($"{what} {OverlongVarint}");
    }

    public byte[] ReadBytes(long count, string what)
    {
        Require(count, what);
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)count));
        Read(bytes, what);
        return bytes;
    }

    /// <summary>UTF-8 text of <paramref name="count"/> bytes; invalid UTF-8 is an error, not replaced.</summary>
    public string ReadUtf8(long count, string what)
    {
        var bytes = ReadBytes(count, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"{what} (not valid UTF-8)");
        }
    }

    public void Read(Span<byte> destination, string what)
    {
        Require(destination.Length, what);
        var done = 0;
        while (done < destination.Length)
        {
            if (Position < cache.Start || Position >= cache.Start + cache.Length)
            {
                if (destination.Length - done >= BufferSize)
                {
                    file.Read(Position, destination[done..]);
                    Position += destination.Length - done;
                    return;
                }

                cache.Start = Position;
                cache.Length = (int)Math.Min(BufferSize, file.Length - Position);
                file.Read(cache.Start, cache.Bytes.AsSpan(0, cache.Length));
            }

            var inBuffer = (int)(Position - cache.Start);
            var take = Math.Min(destination.Length - done, cache.Length - inBuffer);
            cache.Bytes.AsSpan(inBuffer, take).CopyTo(destination[done..]);
            done += take;
            Position += take;
        }
    }

    private void Require(long count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw Fail(what);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes last read from the file, shared by a cursor and its slices.</summary>
    private sealed class ReadBuffer
    {
        public byte[] Bytes { get; } = new byte[BufferSize];

        public long Start { get; set; }

        public int Length { get; set; }
    }
}
