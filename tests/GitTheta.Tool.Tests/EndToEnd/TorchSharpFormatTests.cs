using System.Text.Json;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>Checkpoints real TorchSharp wrote with Module.save (tests/fixtures/torchsharp) through real git and git-lfs.</summary>
public sealed class TorchSharpFormatTests : IDisposable
{
    private static readonly string[] Fixtures =
    {
        "torchsharp/convnet.dat", "torchsharp/dtypes.dat", "torchsharp/embedding.dat", "torchsharp/linear-float64.dat", "torchsharp/empty.dat",
    };

    private readonly Sandbox sandbox = new();

    [Fact]
    public void Every_fixture_is_cleaned_to_one_group_per_entry_and_checked_out_byte_for_byte_after_a_clone()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "models/*.dat");
        foreach (var fixture in Fixtures)
        {
            repo.Write("models/" + Path.GetFileName(fixture), FormatFixtures.Read(fixture));
        }

        repo.GitOk("add", ".");
        repo.Commit("TorchSharp checkpoints");

        foreach (var fixture in Fixtures)
        {
            var metadata = JsonDocument.Parse(repo.Show("HEAD:models/" + Path.GetFileName(fixture))).RootElement;
            Assert.Equal("torchsharp", metadata.GetProperty("checkpoint").GetProperty("type").GetString());
            Assert.Equal(EntryCount(FormatFixtures.Read(fixture)), metadata.GetProperty("parameters").EnumerateObject().Count());
        }

        // A clone through a bare remote (objects fetched by git-lfs) and a checkout after deleting the files rebuild every byte.
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        foreach (var fixture in Fixtures)
        {
            File.Delete(repo.Path("models/" + Path.GetFileName(fixture)));
        }

        repo.GitOk("checkout", "--", "models");
        foreach (var fixture in Fixtures)
        {
            Assert.Equal(FormatFixtures.Read(fixture), repo.Read("models/" + Path.GetFileName(fixture)));
            Assert.Equal(FormatFixtures.Read(fixture), clone.Read("models/" + Path.GetFileName(fixture)));
        }

        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void A_fine_tune_of_two_layers_stores_only_those_two_groups()
    {
        const string file = "models/convnet.dat";
        var repo = ThetaRepoFactory.Create(sandbox, file);
        var v1 = FormatFixtures.Read("torchsharp/convnet.dat");
        var v2 = FormatFixtures.ReadChanged("torchsharp/convnet.dat");
        repo.Write(file, v1);
        repo.GitOk("add", ".");
        var first = repo.Commit("trained");
        var afterFirst = repo.StoredObjects();
        var firstParameters = JsonDocument.Parse(repo.Show($"HEAD:{file}")).RootElement.GetProperty("parameters");
        Assert.Equal(15, firstParameters.EnumerateObject().Count());

        // Equal values share an object (BatchNorm's zero biases and running means, its unit variances): one object per
        // distinct value, and one container.
        var distinct = firstParameters.EnumerateObject().Select(p => p.Value.GetProperty("object").GetProperty("oid").GetString()).Distinct().Count();
        Assert.Equal(distinct + 1, afterFirst.Count);

        repo.Write(file, v2);
        repo.GitOk("add", file);
        var second = repo.Commit("fine-tuned two layers");

        var added = repo.StoredObjects().Except(afterFirst).ToHashSet();
        var parameters = JsonDocument.Parse(repo.Show($"HEAD:{file}")).RootElement.GetProperty("parameters");
        string Oid(string name) => parameters.GetProperty(name).GetProperty("object").GetProperty("oid").GetString()!;
        Assert.Equal(new HashSet<string> { Oid("features.0.weight"), Oid("classifier.bias") }, added);

        var diff = repo.GitOk("diff", first, second, "--", file);
        Assert.Contains("2 of 15 parameter groups differ: 2 modified, 0 added, 0 removed", diff);

        repo.GitOk("checkout", "-q", first);
        Assert.Equal(v1, repo.Read(file));
        repo.GitOk("checkout", "-q", "main");
        Assert.Equal(v2, repo.Read(file));
    }

    [Fact]
    public void A_TorchSharp_file_is_sniffed_whatever_its_name_and_the_theta_format_attribute_names_it_too()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.bin");
        repo.ThetaOk("track", "weights.data", "--format", "torchsharp");
        Assert.Contains("theta-format=torchsharp", File.ReadAllText(repo.Path(".gitattributes")));
        repo.Write("model.bin", FormatFixtures.Read("torchsharp/dtypes.dat"));
        repo.Write("weights.data", FormatFixtures.Read("torchsharp/embedding.dat"));
        repo.GitOk("add", ".");
        repo.Commit("sniffed and named");

        Assert.Equal("torchsharp", JsonDocument.Parse(repo.Show("HEAD:model.bin")).RootElement.GetProperty("checkpoint").GetProperty("type").GetString());
        Assert.Equal("torchsharp", JsonDocument.Parse(repo.Show("HEAD:weights.data")).RootElement.GetProperty("checkpoint").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("truncated", "GT2003")]
    [InlineData("2^40-entries", "GT2002")]
    [InlineData("unknown-scalar-type", "GT2002")]
    public void A_hostile_TorchSharp_file_fails_git_add_with_one_clear_error_and_changes_nothing(string kind, string code)
    {
        const string file = "model.dat";
        var repo = ThetaRepoFactory.Create(sandbox, file);
        var good = FormatFixtures.Read("torchsharp/convnet.dat");
        repo.Write(file, good);
        repo.GitOk("add", ".");
        repo.Commit("good");
        var index = repo.GitOk("ls-files", "-s", "--debug");
        var objects = repo.StoredObjects();

        var bad = (byte[])good.Clone();
        switch (kind)
        {
            case "truncated":
                bad = good[..(good.Length - 7)];
                break;
            case "2^40-entries":
                bad = new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x20 }.Concat(good[1..]).ToArray();
                break;
            default:
                // The first entry's scalar type follows its count (1 byte), name length (1 byte) and 17-byte name.
                Assert.Equal(6, bad[19]);
                bad[19] = 8;
                break;
        }

        repo.Write(file, bad);
        var add = repo.Git("add", file);
        Assert.NotEqual(0, add.ExitCode);
        var error = Assert.Single(add.Error.Split('\n'), l => l.StartsWith("git-theta: error", StringComparison.Ordinal));
        Assert.Contains(code, error);
        Assert.Contains(file, error);
        Assert.DoesNotContain("   at ", add.Error);
        Assert.Equal(index, repo.GitOk("ls-files", "-s", "--debug"));
        Assert.Equal(objects, repo.StoredObjects());
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>The LEB128 entry count every TorchSharp file starts with.</summary>
    private static int EntryCount(byte[] file)
    {
        var count = 0;
        for (var i = 0; ; i++)
        {
            count |= (file[i] & 0x7F) << (7 * i);
            if ((file[i] & 0x80) == 0)
            {
                return count;
            }
        }
    }
}
