using System.Security.Cryptography;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Storage;

/// <summary>
/// Reads a stored object, hashing every byte as it passes, and fails at its end if the bytes do not hash to the oid
/// they are stored under. There is no cache of earlier checks: a file whose bytes changed under the same size and
/// modification time (a disk fault, a restore that keeps mtimes) is caught on the read that would use it.
/// </summary>
internal sealed class VerifyingReadStream : Stream
{
    private readonly Stream inner;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string oid;
    private readonly string what;
    private readonly string remedy;
    private bool verified;
    private bool comparingOnly;

    /// <param name="remedy">What the user should do when the bytes are not the object.</param>
    internal VerifyingReadStream(Stream inner, string oid, string what, string remedy)
    {
        this.inner = inner;
        this.oid = oid;
        this.what = what;
        this.remedy = remedy;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        if (comparingOnly)
        {
            return read;
        }

        if (read > 0 && !verified)
        {
            hash.AppendData(buffer[..read]);
        }
        else if (buffer.Length > 0)
        {
            Verify();
        }

        return read;
    }

    /// <summary>
    /// Stops hashing, for a caller that only compares these bytes with bytes it already holds and judges the outcome
    /// by the fingerprint of its own bytes, never by these (the clean of a group streamed against its stored value:
    /// a SHA-256 pass over every unchanged gigabyte bought nothing there). Nothing read after this may be used as
    /// the object's value, so <see cref="VerifyToEnd"/> and <see cref="ReadPipelined"/> refuse to run.
    /// </summary>
    public void CompareOnly() => comparingOnly = true;

    /// <summary>
    /// Fills <paramref name="destination"/> (or reads to the end of the object), hashing each 4 MiB piece on another
    /// thread while the next one is read, so the SHA-256 of every byte costs no time beside the disk read. The pieces
    /// are distinct parts of <paramref name="destination"/>, which the caller must not touch until this returns.
    /// </summary>
    /// <returns>How many bytes were read.</returns>
    public int ReadPipelined(Memory<byte> destination)
    {
        const int Piece = 4 << 20;
        RefuseIfComparingOnly();
        if (verified || destination.Length <= Piece)
        {
            return ReadAtLeast(destination.Span, destination.Length, throwOnEndOfStream: false);
        }

        var hashing = Task.CompletedTask;
        var total = 0;
        try
        {
            while (total < destination.Length)
            {
                var read = inner.Read(destination.Span.Slice(total, Math.Min(Piece, destination.Length - total)));
                if (read == 0)
                {
                    break;
                }

                var piece = destination.Slice(total, read);

                // Chained, so the pieces reach the digest in file order.
                hashing = hashing.ContinueWith(_ => hash.AppendData(piece.Span), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                total += read;
            }
        }
        finally
        {
            hashing.Wait();
        }

        return total;
    }

    /// <summary>Reads whatever is left and checks the digest.</summary>
    public void VerifyToEnd()
    {
        RefuseIfComparingOnly();
        Span<byte> scratch = stackalloc byte[4096];
        while (Read(scratch) > 0)
        {
        }

        Verify();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void RefuseIfComparingOnly()
    {
        if (comparingOnly)
        {
            throw new InvalidOperationException($"{what}: stored object {oid} was opened for comparison only; its bytes are not verified.");
        }
    }

    private void Verify()
    {
        if (verified)
        {
            return;
        }

        verified = true;
        var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        if (actual != oid)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {oid} is corrupt (its bytes hash to {actual}); {remedy}.");
        }
    }
}
