using System.Runtime.InteropServices;

namespace GitTheta.Core.Updates;

/// <summary>
/// Walks the elements whose bytes differ between two values of a group, in increasing order. A fine-tune that moves
/// 1% of the elements leaves long runs of identical ones; <see cref="MemoryExtensions.CommonPrefixLength{T}(Span{T}, ReadOnlySpan{T})"/>
/// skips each run with vector compares, so only the changed elements are ever decoded.
/// </summary>
internal ref struct ChangedElements
{
    private readonly ReadOnlySpan<byte> before;
    private readonly ReadOnlySpan<byte> after;
    private readonly int elementSize;
    private readonly int count;
    private int position;

    public ChangedElements(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, int elementSize)
    {
        if (elementSize is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Elements are 1, 2, 4 or 8 bytes.");
        }

        if (before.Length != after.Length || before.Length % elementSize != 0)
        {
            throw new ArgumentException($"Both values must have the same whole number of {elementSize}-byte elements.");
        }

        this.before = before;
        this.after = after;
        this.elementSize = elementSize;
        count = before.Length / elementSize;
    }

    /// <summary>The next element whose bytes differ; false when there is none left.</summary>
    public bool Next(out int index)
    {
        if (position < count)
        {
            position += elementSize switch
            {
                1 => SamePrefix<byte>(before, after, position),
                2 => SamePrefix<ushort>(before, after, position),
                4 => SamePrefix<uint>(before, after, position),
                _ => SamePrefix<ulong>(before, after, position),
            };
        }

        if (position >= count)
        {
            index = -1;
            return false;
        }

        index = position++;
        return true;
    }

    private static int SamePrefix<T>(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int from)
        where T : unmanaged, IEquatable<T>
        => MemoryMarshal.Cast<byte, T>(a)[from..].CommonPrefixLength(MemoryMarshal.Cast<byte, T>(b)[from..]);
}
