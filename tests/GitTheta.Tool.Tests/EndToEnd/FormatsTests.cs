using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GitTheta.Tool.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>PyTorch, ONNX and GGUF checkpoints (tests/fixtures) through real git, git-lfs, PyTorch and ONNX Runtime.</summary>
public sealed class FormatsTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    public static TheoryData<string, string, string> Fixtures() => new()
    {
        { "pytorch/transformer_encoder.pt", "models/encoder.pt", "pytorch" },
        { "pytorch/tied_lm.pt", "models/lm.pt", "pytorch" },
        { "pytorch/bf16_state_dict.pt", "models/bf16.pt", "pytorch" },
        { "pytorch/nested.pt", "models/nested.pt", "pytorch" },
        { "onnx/mlp.onnx", "models/mlp.onnx", "onnx" },
        { "gguf/tiny.gguf", "models/tiny.gguf", "gguf" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Changing_one_tensor_stores_one_object_diff_names_it_and_both_versions_check_out_byte_identical(string fixture, string file, string format)
    {
        var repo = ThetaRepoFactory.Create(sandbox, file);
        var v1 = FormatFixtures.Read(fixture);
        var v2 = FormatFixtures.ReadChanged(fixture);
        var changed = FormatFixtures.ChangedTensor(fixture);

        repo.Write(file, v1);
        repo.GitOk("add", ".gitattributes", file);
        var first = repo.Commit("v1");
        var metadata = JsonDocument.Parse(repo.Show($"HEAD:{file}")).RootElement;
        Assert.Equal(format, metadata.GetProperty("checkpoint").GetProperty("type").GetString());
        var groups = metadata.GetProperty("parameters").EnumerateObject().Count();
        var afterFirst = repo.StoredObjects();
        Assert.True(afterFirst.Count <= groups + 1, $"{afterFirst.Count} objects for {groups} groups and one container");

        repo.Write(file, v2);
        repo.GitOk("add", file);
        var second = repo.Commit("v2");
        var added = repo.StoredObjects().Except(afterFirst).ToList();
        Assert.Single(added);
        var changedObject = JsonDocument.Parse(repo.Show($"HEAD:{file}")).RootElement.GetProperty("parameters").GetProperty(changed).GetProperty("object").GetProperty("oid").GetString();
        Assert.Equal(changedObject, added[0]);

        var diff = repo.GitOk("diff", first, second, "--", file);
        var modified = diff.Split('\n').Where(l => l.StartsWith("modified", StringComparison.Ordinal)).ToList();
        Assert.Single(modified);
        Assert.Contains(changed, modified[0]);
        Assert.Contains($"1 of {groups} parameter groups differ: 1 modified, 0 added, 0 removed", diff);

        File.Delete(repo.Path(file));
        repo.GitOk("checkout", first, "--", file);
        Assert.Equal(v1, repo.Read(file));
        repo.GitOk("checkout", second, "--", file);
        Assert.Equal(v2, repo.Read(file));
        repo.GitOk("checkout", "-q", first);
        Assert.Equal(v1, repo.Read(file));
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void PyTorch_loads_every_checked_out_fixture_into_the_same_tensors_with_views_and_shared_storages_intact()
    {
        var fixtures = new[] { "pytorch/transformer_encoder.pt", "pytorch/tied_lm.pt", "pytorch/bf16_state_dict.pt", "pytorch/nested.pt" };
        var repo = ThetaRepoFactory.Create(sandbox, "*.pt");
        foreach (var fixture in fixtures)
        {
            repo.Write(Path.GetFileName(fixture), FormatFixtures.Read(fixture));
        }

        repo.GitOk("add", ".");
        repo.Commit("v1");
        foreach (var fixture in fixtures)
        {
            repo.Write(Path.GetFileName(fixture), FormatFixtures.ReadChanged(fixture));
        }

        repo.GitOk("add", ".");
        repo.Commit("v2");
        foreach (var fixture in fixtures)
        {
            File.Delete(repo.Path(Path.GetFileName(fixture)));
        }

        // Each version is rebuilt from objects (the changed one from the first version's container).
        var pairs = new List<string>();
        repo.GitOk("checkout", "-q", "HEAD~1");
        foreach (var fixture in fixtures)
        {
            var copy = sandbox.Path("v1-" + Path.GetFileName(fixture));
            File.Copy(repo.Path(Path.GetFileName(fixture)), copy);
            pairs.AddRange(new[] { FormatFixtures.PathOf(fixture), copy });
        }

        repo.GitOk("checkout", "-q", "main");
        foreach (var fixture in fixtures)
        {
            pairs.AddRange(new[] { FormatFixtures.ChangedPathOf(fixture), repo.Path(Path.GetFileName(fixture)) });
        }

        var output = DebianTorch.RunOk(CompareScript, pairs.ToArray());
        Assert.Equal(string.Join(string.Empty, Enumerable.Repeat("same\n", pairs.Count / 2)), output);
    }

    [Fact]
    public void Onnx_runtime_runs_both_checked_out_versions_of_the_model()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "mlp.onnx");
        repo.Write("mlp.onnx", FormatFixtures.Read("onnx/mlp.onnx"));
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write("mlp.onnx", FormatFixtures.ReadChanged("onnx/mlp.onnx"));
        repo.GitOk("add", ".");
        repo.Commit("v2");
        File.Delete(repo.Path("mlp.onnx"));

        using var expected = JsonDocument.Parse(File.ReadAllBytes(FormatFixtures.PathOf("onnx/mlp.expected.json")));
        var input = expected.RootElement.GetProperty("input").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        repo.GitOk("checkout", "-q", "HEAD~1");
        AssertClose(expected.RootElement.GetProperty("output"), RunOnnx(repo.Read("mlp.onnx"), input));
        repo.GitOk("checkout", "-q", "main");
        AssertClose(expected.RootElement.GetProperty("changed_output"), RunOnnx(repo.Read("mlp.onnx"), input));
    }

    [Fact]
    public void Formats_are_sniffed_from_the_bytes_whatever_the_file_is_called()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.bin");
        repo.Write("torch.bin", FormatFixtures.Read("pytorch/tied_lm.pt"));
        repo.Write("graph.bin", FormatFixtures.Read("onnx/mlp.onnx"));
        repo.Write("llama.bin", FormatFixtures.Read("gguf/tiny.gguf"));
        repo.GitOk("add", ".");
        repo.Commit("sniffed");
        Assert.Equal("pytorch", CheckpointType(repo, "torch.bin"));
        Assert.Equal("onnx", CheckpointType(repo, "graph.bin"));
        Assert.Equal("gguf", CheckpointType(repo, "llama.bin"));
    }

    [Fact]
    public void The_theta_format_attribute_wins_over_sniffing()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.ThetaOk("track", "weights.data", "--format", "gguf");
        repo.ThetaOk("track", "wrong.data", "--format", "pytorch");
        Assert.Contains("theta-format=gguf", File.ReadAllText(repo.Path(".gitattributes")));
        repo.Write("weights.data", FormatFixtures.Read("gguf/tiny.gguf"));
        repo.GitOk("add", ".gitattributes", "weights.data");
        Assert.Equal("gguf", CheckpointType(repo, "weights.data", ":"));

        // A GGUF file declared as PyTorch is read as PyTorch, and refused as such.
        repo.Write("wrong.data", FormatFixtures.Read("gguf/tiny.gguf"));
        var add = repo.Git("add", "wrong.data");
        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("not a PyTorch zip checkpoint", add.Error);
    }

    [Fact]
    public void An_unknown_format_is_refused_with_the_list_of_supported_formats()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.weights");
        repo.Write("model.weights", Encoding.UTF8.GetBytes("neither zip nor protobuf nor GGUF\n"));
        var add = repo.Git("add", "model.weights");
        Assert.NotEqual(0, add.ExitCode);
        var error = Assert.Single(add.Error.Split('\n'), l => l.StartsWith("git-theta: error", StringComparison.Ordinal));
        Assert.Contains("GT2005", error);
        Assert.Contains("Supported formats: safetensors, pytorch, onnx, gguf", error);
    }

    [Theory]
    [InlineData("truncated-zip", "model.pt", "GT2003", "truncated")]
    [InlineData("zip-bomb", "model.pt", "GT2002", "claims 2147483632 bytes")]
    [InlineData("pickle-os-system", "model.pt", "GT2002", "'posix.system'")]
    [InlineData("pickle-unknown-global", "model.pt", "GT2002", "'argparse.Namespace'")]
    [InlineData("onnx-bad-length", "model.onnx", "GT2002", "claims 127 bytes")]
    [InlineData("gguf-2^40-tensors", "model.gguf", "GT2002", "1099511627776 tensors")]
    [InlineData("gguf-tensor-past-end", "model.gguf", "GT2003", "'rope.ids'")]
    public void Hostile_input_fails_git_add_with_one_clear_error_and_changes_nothing(string kind, string file, string code, string detail)
    {
        var repo = ThetaRepoFactory.Create(sandbox, file);
        var good = Path.GetExtension(file) switch
        {
            ".pt" => "pytorch/tied_lm.pt",
            ".onnx" => "onnx/mlp.onnx",
            _ => "gguf/tiny.gguf",
        };
        repo.Write(file, FormatFixtures.Read(good));
        repo.GitOk("add", ".");
        repo.Commit("good");
        var index = repo.GitOk("ls-files", "-s", "--debug");
        var objects = repo.StoredObjects();
        var marker = sandbox.Path("pwned");

        switch (kind)
        {
            case "pickle-os-system":
                DebianTorch.RunOk(
                    "import os, sys, torch\nclass Evil:\n    def __reduce__(self):\n        return (os.system, ('touch ' + sys.argv[2],))\ntorch.save({'w': torch.zeros(2), 'evil': Evil()}, sys.argv[1])\n",
                    repo.Path(file),
                    marker);
                break;
            case "pickle-unknown-global":
                DebianTorch.RunOk("import argparse, sys, torch\ntorch.save({'w': torch.zeros(2), 'args': argparse.Namespace(lr=0.1)}, sys.argv[1])\n", repo.Path(file));
                break;
            default:
                repo.Write(file, Hostile(kind, FormatFixtures.Read(good)));
                break;
        }

        var add = repo.Git("add", file);
        Assert.NotEqual(0, add.ExitCode);
        var error = Assert.Single(add.Error.Split('\n'), l => l.StartsWith("git-theta: error", StringComparison.Ordinal));
        Assert.Contains(code, error);
        Assert.Contains(file, error);
        Assert.Contains(detail, error);
        Assert.DoesNotContain("   at ", add.Error);
        Assert.False(File.Exists(marker), "the pickle's os.system ran");
        Assert.Equal(index, repo.GitOk("ls-files", "-s", "--debug"));
        Assert.Equal(objects, repo.StoredObjects());
        Assert.Empty(repo.TempFiles());
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>Damages a good fixture the way the test case names, by patching bytes where the format keeps them.</summary>
    private static byte[] Hostile(string kind, byte[] good)
    {
        var bytes = (byte[])good.Clone();
        switch (kind)
        {
            case "truncated-zip":
                return bytes[..(bytes.Length - 200)];
            case "zip-bomb":
                {
                    // The central directory record of the first storage claims 2 GiB (the file has 4 KiB).
                    var name = bytes.AsSpan().LastIndexOf("/data/0"u8);
                    var record = bytes.AsSpan(0, name).LastIndexOf("PK\u0001\u0002"u8);
                    Assert.True(name > 0 && record > 0, "central directory record not found");
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(record + 20), 0x7FFFFFF0);
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(record + 24), 0x7FFFFFF0);
                    return bytes;
                }

            case "onnx-bad-length":
                {
                    // name "2.bias", then raw_data (field 9) of 12 bytes: claim 127 instead.
                    var at = IndexOf(bytes, "\u0042\u00062.bias\u004a\u000c"u8, 0);
                    bytes[at + 9] = 0x7F;
                    return bytes;
                }

            case "gguf-2^40-tensors":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 1UL << 40);
                return bytes;
            case "gguf-tensor-past-end":
                {
                    // After the name: rank (u32) 1, one dimension (u64), type (u32), then the data offset.
                    var name = IndexOf(bytes, "rope.ids"u8, 0);
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(name + 8 + 4 + 8 + 4), 1UL << 20);
                    return bytes;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> value, int from)
    {
        var at = bytes.AsSpan(from).IndexOf(value);
        Assert.True(at >= 0, "pattern not found in fixture");
        return from + at;
    }

    private static string CheckpointType(GitRepo repo, string file, string revision = "HEAD:") =>
        JsonDocument.Parse(repo.Show(revision + file)).RootElement.GetProperty("checkpoint").GetProperty("type").GetString()!;

    private static float[] RunOnnx(byte[] model, float[] input)
    {
        using var session = new InferenceSession(model);
        var inputs = new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input, new[] { 1, input.Length })) };
        using var results = session.Run(inputs);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static void AssertClose(JsonElement expected, float[] actual)
    {
        var values = expected.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(values.Length, actual.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(values[i])), $"output {i}: expected {values[i]}, got {actual[i]}");
        }
    }

    /// <summary>
    /// For each (expected, actual) pair of paths: both load, hold the same keys and plain values, and
    /// tensors equal in dtype, shape, stride, storage offset and value; tensors that share a storage in
    /// one share it in the other. Prints "same" per pair.
    /// </summary>
    private const string CompareScript = """
        import sys, torch

        def flatten(obj, prefix, out):
            if isinstance(obj, torch.Tensor):
                out[prefix] = obj
            elif isinstance(obj, dict):
                for k, v in obj.items():
                    flatten(v, prefix + "/" + str(k), out)
            elif isinstance(obj, (list, tuple)):
                for i, v in enumerate(obj):
                    flatten(v, prefix + "/" + str(i), out)
            else:
                out[prefix] = ("value", obj)
            return out

        def sharing(tensors):
            groups = {}
            for k, t in tensors.items():
                if isinstance(t, torch.Tensor):
                    groups.setdefault(t.storage().data_ptr(), []).append(k)
            return sorted(sorted(g) for g in groups.values())

        args = sys.argv[1:]
        for expected_path, actual_path in zip(args[0::2], args[1::2]):
            expected = flatten(torch.load(expected_path), "", {})
            actual = flatten(torch.load(actual_path), "", {})
            assert expected.keys() == actual.keys(), (expected_path, expected.keys(), actual.keys())
            for k, e in expected.items():
                a = actual[k]
                if isinstance(e, torch.Tensor):
                    assert e.dtype == a.dtype and e.shape == a.shape and e.stride() == a.stride(), (actual_path, k)
                    assert e.storage_offset() == a.storage_offset(), (actual_path, k)
                    assert torch.equal(e, a), (actual_path, k)
                else:
                    assert e == a, (actual_path, k)
            assert sharing(expected) == sharing(actual), (actual_path, sharing(expected), sharing(actual))
            print("same")
        """;
}
