using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class MigrateTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Migrate_rewrites_lfs_history_to_theta_with_identical_checkouts_shared_objects_and_a_backup()
    {
        var repo = LfsHistoryTests.HubLikeRepository(sandbox, out _, out _);
        repo.GitOk("tag", "v1", "HEAD~1");
        var branch = repo.GitOk("symbolic-ref", "HEAD").Trim();
        var oldHead = repo.GitOk("rev-parse", "HEAD").Trim();
        var before = new[] { "v1", branch }.Select(r => CheckoutBytes(repo, r)).ToList();
        repo.GitOk("checkout", "-q", branch["refs/heads/".Length..]);

        // A dirty work tree is refused, and nothing moves.
        repo.Write("config.json", "{\"hidden_size\": 32}\n"u8.ToArray());
        var refused = repo.Theta("migrate", "--include=*.safetensors", "--everything");
        Assert.StartsWith("git-theta: error GT2027: ", refused.Error);
        Assert.Equal(oldHead, repo.GitOk("rev-parse", "HEAD").Trim());
        repo.GitOk("checkout", "--", "config.json");

        var output = repo.ThetaOk("migrate", "--include=*.safetensors", "--everything");
        Assert.Contains("Rewrote 2 commit(s); converted 1 file(s): model.safetensors.", output);
        Assert.Contains($"backup: refs/theta-migrate/backup/{branch["refs/".Length..]}", output);
        Assert.Equal(oldHead, repo.GitOk("rev-parse", $"refs/theta-migrate/backup/{branch["refs/".Length..]}").Trim());
        Assert.NotEqual(oldHead, repo.GitOk("rev-parse", "HEAD").Trim());
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));

        // Every commit holds metadata for the weights, lfs for the tokenizer, and attributes that say so.
        foreach (var revision in new[] { "v1", "HEAD" })
        {
            Assert.StartsWith("{", repo.GitOk("cat-file", "blob", $"{revision}:model.safetensors"));
            Assert.StartsWith("version https://git-lfs.github.com/spec/v1", repo.GitOk("cat-file", "blob", $"{revision}:tokenizer.json"));
            var attributes = repo.GitOk("cat-file", "blob", $"{revision}:.gitattributes");
            Assert.Contains("*.safetensors -text filter=theta diff=theta merge=theta\n", attributes);
            Assert.Contains("tokenizer.json filter=lfs diff=lfs merge=lfs -text\n", attributes);
        }

        // Groups v2 did not change are one object in both versions.
        var v1Objects = Oids(repo.GitOk("cat-file", "blob", "v1:model.safetensors"));
        var v2Objects = Oids(repo.GitOk("cat-file", "blob", "HEAD:model.safetensors"));
        Assert.True(v1Objects.Intersect(v2Objects).Count() >= 3, $"shared: {v1Objects.Intersect(v2Objects).Count()}");
        Assert.Contains("1 of 4 parameter groups differ", repo.GitOk("diff", "v1", "HEAD", "--", "model.safetensors"));

        // The migrated repository checks out exactly the files the lfs one did.
        Assert.Equal(before[0], CheckoutBytes(repo, "v1"));
        Assert.Equal(before[1], CheckoutBytes(repo, branch));
    }

    public void Dispose() => sandbox.Dispose();

    private static HashSet<string> Oids(string metadata) =>
        Regex.Matches(metadata, "[0-9a-f]{64}").Select(m => m.Value).ToHashSet();

    private static string CheckoutBytes(GitRepo repo, string revision)
    {
        repo.GitOk("checkout", "-q", "--detach", revision);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        return string.Join(
            "|",
            new[] { "model.safetensors", "tokenizer.json", "config.json" }.Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(repo.Read(f)))));
    }
}
