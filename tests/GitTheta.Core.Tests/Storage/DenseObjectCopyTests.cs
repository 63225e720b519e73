using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

/// <summary>
/// A checkout copies a large dense value to git's pipe while the next chunk is read and hashed on another thread. The
/// value here spans several chunks (1 MiB each) and ends inside one, so both ways are compared on the same object: the
/// same bytes, the same refusal of a damaged object, and an output that fails leaves nothing running.
/// </summary>
public sealed class DenseObjectCopyTests : IDisposable
{
    private static readonly TensorInfo Info = new("encoder.weight", DType.U8, new long[] { (3 << 20) + 12345 });

    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;
    private readonly byte[] value;
    private readonly ObjectRef reference;

    public DenseObjectCopyTests()
    {
        store = new LfsObjectStore(root.Path);
        value = new byte[Info.ByteLength];
        new Random(7).NextBytes(value);
        using var transaction = new ObjectTransaction(store);
        reference = DenseObject.Stage(transaction, Info, value);
        transaction.Commit();
    }

    public void Dispose() => root.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_value_arrives_whole_and_in_order(bool overlap)
    {
        var output = new MemoryStream();

        DenseObject.CopyValue(store, Info, reference, "test", output, overlap);

        Assert.Equal(value, output.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_byte_changed_in_a_late_chunk_is_refused_as_corrupt(bool overlap)
    {
        var path = store.PathOf(reference.Oid);
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 1;
        File.WriteAllBytes(path, bytes);

        var error = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => DenseObject.CopyValue(store, Info, reference, "test", Stream.Null, overlap));

        Assert.Contains(reference.Oid, error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_object_cut_short_is_refused(bool overlap)
    {
        var path = store.PathOf(reference.Oid);
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - (2 << 20))]);

        Assert.ThrowsAny<ThetaException>(() => DenseObject.CopyValue(store, Info, reference, "test", Stream.Null, overlap));
    }

    [Fact]
    public void An_output_that_fails_stops_the_copy_with_its_own_error()
    {
        var output = new FailingStream(failAfterWrites: 2);

        var error = Assert.Throws<IOException>(() => DenseObject.CopyValue(store, Info, reference, "test", output, overlap: true));

        Assert.Equal("pipe closed", error.Message);
        Assert.Equal(2, output.Writes);

        // The object is still readable: nothing was left holding it.
        var again = new MemoryStream();
        DenseObject.CopyValue(store, Info, reference, "test", again, overlap: true);
        Assert.Equal(value, again.ToArray());
    }

    private sealed class FailingStream : Stream
    {
        private readonly int failAfterWrites;

        public FailingStream(int failAfterWrites) => this.failAfterWrites = failAfterWrites;

        public int Writes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Writes == failAfterWrites)
            {
                throw new IOException("pipe closed");
            }

            Writes++;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
