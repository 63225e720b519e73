namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>Bytes of a checkpoint file with random access: the whole file (<see cref="SpooledFile"/>) or only its non-tensor part (<see cref="SkeletonView"/>).</summary>
internal interface IByteSource
{
    long Length { get; }

    /// <summary>Reads exactly destination.Length bytes at <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> destination);

    byte[] ReadBytes(long offset, int count);
}
