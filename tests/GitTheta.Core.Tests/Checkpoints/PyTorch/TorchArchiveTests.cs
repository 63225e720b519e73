using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>Zip archives from an independent writer: layouts PyTorch does not write, and damaged or hostile ones.</summary>
public class TorchArchiveTests
{
    private static readonly PyTorchFormat Format = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Archives_with_and_without_data_descriptors_round_trip_and_get_new_crcs_for_new_values(bool descriptors)
    {
        var file = TorchZipBuilder.OneTensor(descriptors);
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));

        var read = FormatFixtures.ReadAll(Format, file);
        var group = Assert.Single(read.Groups).Info;
        Assert.Equal(("w", DType.F32, "[2, 3]"), (group.Name, group.DType, group.ShapeText));
        var newValue = Enumerable.Range(100, 24).Select(i => (byte)i).ToArray();
        var rewritten = FormatFixtures.Write(Format, read.Container, new Dictionary<string, byte[]> { ["w"] = newValue });
        Assert.Equal(TorchZipBuilder.OneTensor(descriptors, data: newValue), rewritten);
    }

    [Fact]
    public void A_large_changed_storage_written_in_one_piece_gets_its_crc_computed_alongside()
    {
        // 3 MiB: the writer hashes a write this large on another core while it goes out, as smudge does.
        const int count = 3 << 18;
        var pickle = new PickleBuilder().EmptyDict().Mark().String("w").Tensor("FloatStorage", "0", count, 0, new[] { count }, new[] { 1 }).SetItems().Stop().ToArray();
        var file = TorchZipBuilder.OneTensor(pickle: pickle, data: TestData.RandomBytes(1, count * 4));
        var container = FormatFixtures.ReadAll(Format, file).Container;
        var newValue = TestData.RandomBytes(2, count * 4);
        var output = new MemoryStream();
        Format.Write(container, new WholeArraySource(newValue), output, "model");
        Assert.Equal(TorchZipBuilder.OneTensor(pickle: pickle, data: newValue), output.ToArray());
    }

    [Fact]
    public void Thousands_of_small_entries_are_read_without_a_buffer_per_entry()
    {
        const int count = 4000;
        var pickle = new PickleBuilder().EmptyDict().Mark();
        for (var i = 0; i < count; i++)
        {
            pickle.String($"t{i}").Tensor("FloatStorage", $"{i}", 1, 0, new[] { 1 }, new[] { 1 });
        }

        var zip = new TorchZipBuilder().Add("archive/data.pkl", pickle.SetItems().Stop().ToArray());
        for (var i = 0; i < count; i++)
        {
            zip.Add($"archive/data/{i}", BitConverter.GetBytes((float)i));
        }

        var file = zip.Build();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = FormatFixtures.ReadAll(Format, file);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (64 << 20), "reading 4000 entries allocated more than 64 MiB");
        Assert.Equal(count, read.Groups.Count);
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    /// <summary>Writes each value with one Write(byte[], int, int), like the smudge's prefetching source.</summary>
    private sealed class WholeArraySource : GitTheta.Core.Checkpoints.ITensorDataSource
    {
        private readonly byte[] value;

        public WholeArraySource(byte[] value)
        {
            this.value = value;
        }

        public void CopyTo(TensorInfo expected, Stream output) => output.Write(value, 0, value.Length);
    }

    [Fact]
    public void Archives_without_alignment_padding_round_trip()
    {
        var file = new TorchZipBuilder { Align = false }.Add("m/data.pkl", TorchZipBuilder.OneTensorPickle()).Add("m/data/0", new byte[24]).Build();
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    [Fact]
    public void Every_truncation_of_a_checkpoint_is_refused_cleanly()
    {
        var file = FormatFixtures.Read("pytorch/tied_lm.pt");
        for (var length = 0; length < file.Length; length += 97)
        {
            var error = Assert.Throws<ThetaException>(() => FormatFixtures.ReadAll(Format, file[..length]));
            Assert.True(error.Code is DiagnosticIds.TruncatedCheckpoint or DiagnosticIds.InvalidCheckpoint, error.ToString());
        }
    }

    public static TheoryData<string, string, string, bool> HostileArchives()
    {
        var cases = new (string Kind, string Code, string Message)[]
        {
            ("zip-bomb", DiagnosticIds.InvalidCheckpoint, "claims 4026531840 bytes"),
            ("crc", DiagnosticIds.InvalidCheckpoint, "CRC-32"),
            ("compressed", DiagnosticIds.InvalidCheckpoint, "compressed"),
            ("entries", DiagnosticIds.InvalidCheckpoint, "65535 entries"),
            ("directory-offset", DiagnosticIds.InvalidCheckpoint, "central directory claims"),
            ("local-name", DiagnosticIds.InvalidCheckpoint, "archive/data/0"),
            ("no-pickle", DiagnosticIds.InvalidCheckpoint, "no archive/data.pkl"),
            ("missing-storage", DiagnosticIds.InvalidCheckpoint, "no entry archive/data/0"),
            ("storage-size", DiagnosticIds.InvalidCheckpoint, "archive/data/0"),
            ("duplicate", DiagnosticIds.InvalidCheckpoint, "appears twice"),
            ("legacy", DiagnosticIds.InvalidCheckpoint, "_use_new_zipfile_serialization=True"),
            ("not-zip", DiagnosticIds.InvalidCheckpoint, "not a PyTorch zip checkpoint"),
            ("empty", DiagnosticIds.TruncatedCheckpoint, "empty"),
        };
        var data = new TheoryData<string, string, string, bool>();
        foreach (var (kind, code, message) in cases)
        {
            data.Add(kind, code, message, false);
            data.Add(kind, code, message, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public void Damaged_and_hostile_archives_are_refused_with_one_clear_error_and_bounded_memory(string kind, string code, string message, bool spooled)
    {
        var file = kind switch
        {
            "zip-bomb" => PatchCentral(TorchZipBuilder.OneTensor(), "archive/data/0", (20, 0xF0000000), (24, 0xF0000000)),
            "crc" => Flip(TorchZipBuilder.OneTensor(), IndexOfData(TorchZipBuilder.OneTensor())),
            "compressed" => PatchCentral(TorchZipBuilder.OneTensor(), "archive/data/0", (10, 8)),
            "entries" => PatchEnd(TorchZipBuilder.OneTensor(), 10, 0xFFFF, 2),
            "directory-offset" => PatchEnd(TorchZipBuilder.OneTensor(), 16, 7, 4),
            "local-name" => Replace(TorchZipBuilder.OneTensor(), "archive/data/0"u8.ToArray(), "archive/data/X"u8.ToArray(), first: true),
            "no-pickle" => new TorchZipBuilder().Add("archive/other.pkl", TorchZipBuilder.OneTensorPickle()).Add("archive/data/0", new byte[24]).Build(),
            "missing-storage" => new TorchZipBuilder().Add("archive/data.pkl", TorchZipBuilder.OneTensorPickle()).Build(),
            "storage-size" => TorchZipBuilder.OneTensor(data: new byte[20]),
            "duplicate" => new TorchZipBuilder().Add("archive/data.pkl", TorchZipBuilder.OneTensorPickle()).Add("archive/data/0", new byte[24]).Add("archive/data/0", new byte[24]).Build(),
            "legacy" => TorchArchive.LegacyMagic.ToArray().Concat(new byte[64]).ToArray(),
            "not-zip" => "hello, not a zip at all"u8.ToArray(),
            _ => Array.Empty<byte>(),
        };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ThetaException>(() => ReadAll(file, spooled));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 << 20), "refusing the file allocated more than 4 MiB");
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message);
        Assert.StartsWith("model:", error.Message);
    }

    [Fact]
    public void A_pickle_calling_os_system_inside_an_archive_is_refused_and_nothing_runs()
    {
        var marker = Path.Combine(Path.GetTempPath(), "gittheta-pwned-" + Guid.NewGuid().ToString("N"));
        var pickle = new PickleBuilder().Global("posix", "system").Mark().String("touch " + marker).Tuple().Reduce().Stop().ToArray();
        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => FormatFixtures.ReadAll(Format, TorchZipBuilder.OneTensor(pickle: pickle)));
        Assert.Contains("'posix.system'", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void A_storage_no_tensor_names_stays_in_the_container()
    {
        // The pickle refers to storage 0 only from an OrderedDict's BUILD state, where no tensor is named.
        var pickle = new PickleBuilder().EmptyDict().EmptyDict().String("hidden").Storage("FloatStorage", "0", 6).Op((byte)'s').Op((byte)'b').Stop().ToArray();
        var file = TorchZipBuilder.OneTensor(pickle: pickle);
        Assert.Empty(FormatFixtures.ReadAll(Format, file).Groups);
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    /// <summary>Reads through the streaming reader (a pipe, as in git's filter) or through a random-access copy.</summary>
    private static FormatFixtures.ReadResult ReadAll(byte[] file, bool spooled)
    {
        if (!spooled)
        {
            return FormatFixtures.ReadAll(Format, file);
        }

        using var reader = PyTorchFormat.OpenSpooled(new MemoryStream(file, writable: false), "model");
        var groups = new List<(TensorInfo, byte[])>();
        while (reader.Next() is { } info)
        {
            var data = new byte[info.ByteLength];
            Assert.Equal(data.Length, reader.ReadData(data));
            groups.Add((info, data));
        }

        return new FormatFixtures.ReadResult(groups, reader.Complete());
    }

    /// <summary>Where the storage's bytes (0, 1, …, 23 in <see cref="TorchZipBuilder.OneTensor"/>) start.</summary>
    private static int IndexOfData(byte[] file) => file.AsSpan().IndexOf(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray());

    private static byte[] Flip(byte[] file, int at)
    {
        var copy = (byte[])file.Clone();
        copy[at] ^= 0xFF;
        return copy;
    }

    private static byte[] PatchCentral(byte[] file, string name, params (int Offset, uint Value)[] patches)
    {
        var copy = (byte[])file.Clone();
        var record = copy.AsSpan().LastIndexOf(System.Text.Encoding.UTF8.GetBytes(name)) - 46;
        foreach (var (offset, value) in patches)
        {
            if (offset == 10)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(record + offset), (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(record + offset), value);
            }
        }

        return copy;
    }

    private static byte[] PatchEnd(byte[] file, int offset, uint value, int width)
    {
        var copy = (byte[])file.Clone();
        var end = copy.Length - 22;
        if (width == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(end + offset), (ushort)value);
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(end + offset - 2), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(end + offset), value);
        }

        return copy;
    }

    private static byte[] Replace(byte[] file, byte[] from, byte[] to, bool first)
    {
        var copy = (byte[])file.Clone();
        var at = first ? copy.AsSpan().IndexOf(from) : copy.AsSpan().LastIndexOf(from);
        to.CopyTo(copy, at);
        return copy;
    }
}
