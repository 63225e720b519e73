using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// PyTorch checkpoints as torch.save (PyTorch 1.6 and later) writes them: a zip archive holding the
/// pickle <c>data.pkl</c> and one entry per storage. Groups are the storages (see <see cref="TorchArchive"/>);
/// the container is every other byte of the archive (local headers with their alignment padding,
/// the pickle, data descriptors, central directory, end records), so an unchanged checkpoint is
/// rebuilt byte for byte and a changed one gets recomputed CRC-32s. The pickle is read by a
/// restricted machine that only recognises what state dicts need, and is never executed.
/// </summary>
internal sealed class PyTorchFormat : ICheckpointFormat
{
    public const string FormatName = "pytorch";

    private const int LocalNameOffset = 30;

    public string Name => FormatName;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".pt", ".pth", ".ckpt" };

    public int SniffLength => 4096;

    /// <summary>A zip whose first entry is <c>data.pkl</c> (in its archive folder), or the legacy format's magic number.</summary>
    public bool Sniff(ReadOnlySpan<byte> prefix)
    {
        if (prefix.StartsWith(TorchArchive.LegacyMagic))
        {
            return true;
        }

        if (prefix.Length < LocalNameOffset || !prefix.StartsWith(TorchArchive.ZipMagic))
        {
            return false;
        }

        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[26..]);
        if (prefix.Length < LocalNameOffset + nameLength)
        {
            return false;
        }

        var name = prefix.Slice(LocalNameOffset, nameLength);
        return name.SequenceEqual("data.pkl"u8) || name.EndsWith("/data.pkl"u8);
    }

    /// <summary>
    /// A file on disk is read in place with random access; anything else (git's pipe) is read in one forward
    /// pass, without a temp copy, when the archive is laid out as torch.save lays it out.
    /// </summary>
    public ICheckpointReader OpenReader(Stream input, string path) =>
        input is FileStream { CanSeek: true } ? OpenSpooled(input, path) : TorchStreamingReader.Open(input, path);

    /// <summary>Reads the archive through a random-access copy (or the file itself): the central directory first.</summary>
    public static ICheckpointReader OpenSpooled(Stream input, string path)
    {
        var file = SpooledFile.From(input);
        try
        {
            return new SplicedReader(file, FormatName, TorchArchive.FindGroups(file, path), ReadOnlyMemory<byte>.Empty, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public IReadOnlyList<TensorInfo> DescribeContainer(ReadOnlySpan<byte> container, string path) =>
        SplicedLayout.Parse(container.ToArray(), FormatName, path).Groups.Select(g => g.Info).ToList();

    public void Write(ReadOnlySpan<byte> container, ITensorDataSource tensors, Stream output, string path) =>
        SplicedWriter.Write(SplicedLayout.Parse(container.ToArray(), FormatName, path), tensors, output);
}
