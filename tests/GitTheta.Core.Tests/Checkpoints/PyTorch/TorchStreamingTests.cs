using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>
/// The one-pass reader used for git's pipe: storages in torch.save's order, out of order (set aside in a
/// temp file), entries it must find the end of, and archives it hands to the spooled reader instead.
/// </summary>
public class TorchStreamingTests
{
    private static readonly PyTorchFormat Format = new();

    private static byte[] Pickle(params string[] keys)
    {
        var pickle = new PickleBuilder().EmptyDict().Mark();
        foreach (var key in keys)
        {
            pickle.String("t" + key).Tensor("FloatStorage", key, 2, 0, new[] { 2 }, new[] { 1 });
        }

        return pickle.SetItems().Stop().ToArray();
    }

    // string.GetHashCode is randomised per process, so a failure seeded by it would not reproduce; this seed
    // depends on the key alone.
    private static byte[] Value(string key) => TestData.RandomF32Bytes(StableSeed(key), 2);

    private static int StableSeed(string key) => key.Aggregate(17, (seed, c) => unchecked((seed * 31) + c));

    private static byte[] Archive(byte[] pickle, IEnumerable<string> entryOrder, bool descriptors = true, params (string Name, byte[] Data)[] extra)
    {
        var zip = new TorchZipBuilder { DataDescriptors = descriptors }.Add("archive/data.pkl", pickle);
        foreach (var key in entryOrder)
        {
            zip.Add($"archive/data/{key}", Value(key));
        }

        foreach (var (name, data) in extra)
        {
            zip.Add(name, data);
        }

        return zip.Build();
    }

    private static void AssertReadsAndRebuilds(byte[] file, params string[] keys)
    {
        var read = FormatFixtures.ReadAll(Format, file);
        // Streamed: in key order (torch.save's); from a spooled copy: in file order.
        Assert.Equal(keys.Select(k => "t" + k).Order(StringComparer.Ordinal), read.Groups.Select(g => g.Info.Name).Order(StringComparer.Ordinal));
        foreach (var (info, data) in read.Groups)
        {
            Assert.Equal(Value(info.Name[1..]), data);
        }

        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    [Fact]
    public void Storages_in_torch_save_order_stream_through_and_keys_sort_as_strings()
    {
        string[] keys = { "0", "1", "10", "11", "2", "3" };
        AssertReadsAndRebuilds(Archive(Pickle(keys), keys), keys);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Storages_out_of_order_are_set_aside_until_their_turn(bool descriptors)
    {
        string[] keys = { "0", "1", "2", "10" };
        AssertReadsAndRebuilds(Archive(Pickle(keys), new[] { "2", "10", "1", "0" }, descriptors), keys);
    }

    [Fact]
    public void Entries_of_unknown_size_between_and_after_storages_are_found_by_their_descriptor()
    {
        string[] keys = { "0", "1" };
        var zip = new TorchZipBuilder()
            .Add("archive/data.pkl", Pickle(keys))
            .Add("archive/data/0", Value("0"))
            .Add("archive/.data/serialization_id", "1234567890"u8.ToArray())
            .Add("archive/data/1", Value("1"))
            .Add("archive/byteorder", "little"u8.ToArray())
            .Add("archive/version", "3\n"u8.ToArray());
        AssertReadsAndRebuilds(zip.Build(), keys);
    }

    [Fact]
    public void A_pickle_holding_the_descriptor_signature_is_not_cut_there()
    {
        var pickle = new PickleBuilder().EmptyDict().Mark()
            .String("note").String("PK\u0007\u0008 looks like a descriptor")
            .String("t0").Tensor("FloatStorage", "0", 2, 0, new[] { 2 }, new[] { 1 })
            .SetItems().Stop().ToArray();
        AssertReadsAndRebuilds(Archive(pickle, new[] { "0" }), "0");
    }

    [Fact]
    public void An_archive_whose_first_entry_is_not_data_pkl_is_read_from_a_spooled_copy()
    {
        string[] keys = { "0", "1" };
        var zip = new TorchZipBuilder()
            .Add("archive/version", "3\n"u8.ToArray())
            .Add("archive/data.pkl", Pickle(keys))
            .Add("archive/data/1", Value("1"))
            .Add("archive/data/0", Value("0"));
        AssertReadsAndRebuilds(zip.Build(), keys);
    }

    [Fact]
    public void Streamed_and_spooled_reads_give_the_same_container()
    {
        var file = FormatFixtures.Read("pytorch/nested.pt");
        var streamed = FormatFixtures.ReadAll(Format, file).Container;
        var path = Path.Combine(Path.GetTempPath(), $"gittheta-streaming-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllBytes(path, file);
            using var stream = File.OpenRead(path);
            using var reader = Format.OpenReader(stream, "model");
            Assert.IsNotType<TorchStreamingReader>(reader);
            while (reader.Next() is { } info)
            {
                var buffer = new byte[info.ByteLength];
                for (var done = 0; done < buffer.Length;)
                {
                    done += reader.ReadData(buffer.AsSpan(done));
                }
            }

            Assert.Equal(streamed, reader.Complete());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
