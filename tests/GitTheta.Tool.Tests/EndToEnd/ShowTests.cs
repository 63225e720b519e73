using System.Text.Json;
using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary><c>git theta show</c> against real git: summaries at revisions and in the index, one group in detail, the blob, errors.</summary>
public sealed class ShowTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Weight = "a";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Show_summarises_the_checkpoint_at_HEAD_and_at_HEAD_1()
    {
        var (repo, _, _) = TwoCommits();

        var first = Fields(repo.ThetaOk("show", $"HEAD~1:{Model}"));
        Assert.Equal("safetensors", first["format"]);
        Assert.Equal("2", first["groups"]);
        Assert.Equal("8208 (32800 bytes, 32.0 KiB)", first["parameters"]);
        Assert.Equal("1 F16, 1 F32", first["dtypes"]);
        Assert.Equal("2 dense", first["updates"]);
        Assert.StartsWith("3 (", first["objects"], StringComparison.Ordinal);
        Assert.EndsWith(", 0 missing from the local store", first["objects"], StringComparison.Ordinal);

        var output = repo.ThetaOk("show", $"HEAD:{Model}");
        var second = Fields(output);
        Assert.Equal("3", second["groups"]);
        Assert.Equal("8232 (32848 bytes, 32.1 KiB)", second["parameters"]);
        Assert.Equal("1 BF16, 1 F16, 1 F32", second["dtypes"]);
        Assert.Equal("2 dense, 1 sparse; deepest update chain 1", second["updates"]);

        // The container, a's sparse update and the dense value below it, b, c.
        Assert.StartsWith("5 (", second["objects"], StringComparison.Ordinal);
        var container = JsonDocument.Parse(repo.Show($"HEAD:{Model}")).RootElement.GetProperty("checkpoint").GetProperty("container");
        Assert.Equal($"{container.GetProperty("size").GetInt64()} B, object {container.GetProperty("oid").GetString()![..12]}", second["container"]);

        var table = output.Split('\n').SkipWhile(l => !l.StartsWith("name ", StringComparison.Ordinal)).Where(l => l.Length > 0).ToList();
        Assert.Equal(4, table.Count);
        Assert.Matches(@"^name\s+dtype\s+shape\s+parameters\s+bytes\s+stored\s+update$", table[0]);
        Assert.Matches(@"^a\s+F32\s+\[64, 128\]\s+8192\s+32\.0 KiB\s+\d+ B\s+sparse \(chain depth 1\)$", table[1]);
        Assert.Matches(@"^b\s+F16\s+\[16\]\s+16\s+32 B\s+\d+ B\s+dense$", table[2]);
        Assert.Matches(@"^c\s+BF16\s+\[2, 3, 4\]\s+24\s+48 B\s+\d+ B\s+dense$", table[3]);
    }

    [Fact]
    public void Show_without_a_revision_reads_the_index()
    {
        var (repo, _, v2) = TwoCommits();
        repo.Write(Model, v2.Add("d", "F32", new long[] { 5 }, TensorFile.Random(9, 5)).ToBytes());
        repo.GitOk("add", Model);

        Assert.Equal("3", Fields(repo.ThetaOk("show", $"HEAD:{Model}"))["groups"]);
        Assert.Equal("4", Fields(repo.ThetaOk("show", Model))["groups"]);
        Assert.Equal("4", Fields(repo.ThetaOk("show", $":{Model}"))["groups"]);
        Assert.StartsWith($"'{Model}' in the index, blob ", repo.ThetaOk("show", Model), StringComparison.Ordinal);
    }

    [Fact]
    public void Show_param_details_one_group_with_its_update_chain()
    {
        var (repo, firstCommit, _) = TwoCommits();
        var before = MetadataView.Parse(repo.Show($"HEAD~1:{Model}"))[Weight];
        var after = MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight];
        var lsh = JsonDocument.Parse(repo.Show($"HEAD:{Model}")).RootElement.GetProperty("parameters").GetProperty(Weight).GetProperty("tensor").GetProperty("lsh");

        var output = repo.ThetaOk("show", $"HEAD:{Model}", "--param", Weight);
        var fields = Fields(output);
        Assert.StartsWith($"'{Model}' at HEAD (commit {repo.GitOk("rev-parse", "HEAD")[..12]}), parameter group 'a'", output, StringComparison.Ordinal);
        Assert.Equal("F32", fields["dtype"]);
        Assert.Equal("[64, 128]", fields["shape"]);
        Assert.Equal("8192", fields["elements"]);
        Assert.Equal("32768 (32.0 KiB)", fields["bytes"]);
        Assert.Equal($"{after.Oid} ({after.Size} bytes, in the local store)", fields["object"]);
        Assert.Equal("sparse", fields["update"]);
        Assert.Equal(firstCommit, fields["base"]);
        Assert.Equal("1", fields["chain depth"]);
        Assert.Equal($"dense {before.Oid} ({before.Size} bytes, in the local store)", fields["chain"]);
        Assert.Equal("[" + string.Join(", ", lsh.EnumerateArray().Select(v => v.GetInt64())) + "]", fields["lsh"]);

        var dense = Fields(repo.ThetaOk("show", $"HEAD~1:{Model}", "--param", Weight));
        Assert.Equal("dense", dense["update"]);
        Assert.False(dense.ContainsKey("base"));
        Assert.False(dense.ContainsKey("chain"));

        repo.DeleteAllObjects();
        Assert.Equal($"{after.Oid} ({after.Size} bytes, missing from the local store)", Fields(repo.ThetaOk("show", $"HEAD:{Model}", "--param", Weight))["object"]);
    }

    [Fact]
    public void Show_json_prints_the_metadata_blob_exactly()
    {
        var (repo, _, _) = TwoCommits();

        Assert.Equal(repo.GitOk("cat-file", "blob", $"HEAD~1:{Model}"), repo.ThetaOk("show", $"HEAD~1:{Model}", "--json"));
        Assert.Equal(repo.GitOk("cat-file", "blob", $":{Model}"), repo.ThetaOk("show", Model, "--json"));
        Assert.NotEqual(repo.ThetaOk("show", $"HEAD~1:{Model}", "--json"), repo.ThetaOk("show", $"HEAD:{Model}", "--json"));
    }

    [Fact]
    public void Each_error_is_one_line_with_its_code_and_exit_code()
    {
        var (repo, _, _) = TwoCommits();
        repo.Write("pointer.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"u8.ToArray());
        repo.GitOk("add", "pointer.bin");
        repo.Commit("a pointer committed as a plain file");
        Directory.CreateDirectory(sandbox.Path("outside"));

        var cases = new (string[] Arguments, string Code, int ExitCode, string Says)[]
        {
            (new[] { $"nope:{Model}" }, "GT2020", 2, "unknown revision 'nope'"),
            (new[] { "HEAD:missing.safetensors" }, "GT2020", 2, "'missing.safetensors' at HEAD (commit "),
            (new[] { "missing.safetensors" }, "GT2020", 2, "'missing.safetensors' is not in the index"),
            (new[] { $"HEAD:{Model}", "--param", "nope" }, "GT2020", 2, "has no parameter group 'nope'"),
            (new[] { "HEAD:.gitattributes" }, "GT2021", 4, "is a plain file, not git-theta metadata"),
            (new[] { "HEAD:pointer.bin" }, "GT2021", 4, "is a git-lfs pointer, not git-theta metadata"),
            (new[] { $"HEAD:{Model}", "--param", Weight, "--json" }, "GT2010", 2, "--json prints the whole metadata blob"),
        };
        foreach (var (arguments, code, exitCode, says) in cases)
        {
            var result = repo.Theta(new[] { "show" }.Concat(arguments).ToArray());
            var what = "git theta show " + string.Join(' ', arguments);
            Assert.True(exitCode == result.ExitCode, $"{what}: exit code {result.ExitCode}, expected {exitCode}");
            Assert.Equal(string.Empty, result.Output);
            var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
            Assert.StartsWith($"git-theta: error {code}: ", line, StringComparison.Ordinal);
            Assert.Contains(says, line, StringComparison.Ordinal);
        }

        var outside = sandbox.Theta(sandbox.Path("outside"), "show", $"HEAD:{Model}");
        Assert.Equal(3, outside.ExitCode);
        Assert.StartsWith("git-theta: error GT2001: ", outside.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// v1: a (F32 [64, 128]) and b (F16 [16]); v2: two elements of a changed, stored as a sparse update, and c
    /// (BF16 [2, 3, 4]) added. Returns the repository, the first commit and v2.
    /// </summary>
    private (GitRepo Repo, string FirstCommit, TensorFile Second) TwoCommits()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = new TensorFile()
            .Add(Weight, "F32", new long[] { 64, 128 }, TensorFile.Random(1, 64 * 128, 0.5))
            .Add("b", "F16", new long[] { 16 }, TensorFile.Random(2, 16));
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".");
        var first = repo.Commit("v1");

        var values = v1[Weight].Values.ToArray();
        values[97] += 0.125;
        values[389] -= 0.25;
        var v2 = v1.With(Weight, values).Add("c", "BF16", new long[] { 2, 3, 4 }, TensorFile.Random(3, 24));
        repo.Write(Model, v2.ToBytes());
        repo.ThetaOk("add", Model, "--update-type", "sparse");
        repo.Commit("v2");
        return (repo, first, v2);
    }

    /// <summary>The "key: value" lines after the heading, up to the first blank line; a line without a key continues the one above.</summary>
    private static Dictionary<string, string> Fields(string output)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n').Skip(1).TakeWhile(l => l.Length > 0))
        {
            var match = Regex.Match(line, @"^(?:(?<key>[a-z0-9 ]+):)?\s+(?<value>.*)$");
            Assert.True(match.Success, $"not a field line: '{line}'");
            if (match.Groups["key"].Success)
            {
                fields[match.Groups["key"].Value] = match.Groups["value"].Value;
            }
        }

        return fields;
    }
}
