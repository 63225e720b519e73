using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public class AttributeSourcesTests
{
    private static readonly string[] Paths = { "a.safetensors", "models/b.safetensors", "models/deep/c.pt", "other/d.onnx" };

    [Fact]
    public void Without_a_mention_anywhere_no_path_needs_git()
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, ".gitattributes", "*.safetensors filter=theta diff=theta merge=theta\n");
        Write(repo, "models/.gitattributes", "*.pt filter=theta -text\n");

        var sources = Sources(repo);
        Assert.All(Paths, p => Assert.False(sources.MayApply(p), p));
        AssertNoThetaAttributeFromGit(repo);
    }

    [Fact]
    public void A_folder_s_file_counts_for_the_paths_under_it_only()
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, ".gitattributes", "*.safetensors filter=theta\n");
        Write(repo, "models/.gitattributes", "deep/*.pt theta-format=pytorch\n");

        var sources = Sources(repo);
        Assert.False(sources.MayApply("a.safetensors"));
        Assert.True(sources.MayApply("models/b.safetensors"));
        Assert.True(sources.MayApply("models/deep/c.pt"));
        Assert.False(sources.MayApply("other/d.onnx"));
        Assert.False(sources.MayApply("modelsx/e.pt"));
    }

    [Theory]
    [InlineData(".gitattributes", "*.pt THETA-FORMAT=pytorch\n")]
    [InlineData(".gitattributes", "[attr]model theta-update=low-rank\n*.pt model\n")]
    [InlineData(".git/info/attributes", "*.pt theta-format=pytorch\n")]
    public void A_mention_in_the_root_or_info_counts_for_every_path(string file, string text)
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, file, text);

        var sources = Sources(repo);
        Assert.All(Paths, p => Assert.True(sources.MayApply(p), p));
    }

    [Fact]
    public void The_global_and_system_files_count_and_an_unknown_system_file_means_ask()
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, ".gitattributes", "*.pt filter=theta\n");
        var global = Path.Combine(temp.Path, "global-attributes");
        File.WriteAllText(global, "*.pt theta-format=pytorch\n");
        var system = Path.Combine(temp.Path, "system-attributes");
        File.WriteAllText(system, "*.pt theta-update=sparse\n");

        Assert.True(Sources(repo, config: Config(("core.attributesFile", global))).MayApply("a.safetensors"));
        Assert.True(Sources(repo, systemFiles: new[] { Path.Combine(temp.Path, "absent"), system }).MayApply("a.safetensors"));
        Assert.True(new AttributeSources(repo, new[] { Path.Combine(repo, ".git") }, _ => null, _ => false, systemFiles: null).MayApply("a.safetensors"));
        Assert.True(Sources(repo, config: Config(("attr.tree", "HEAD"))).MayApply("a.safetensors"));
        Assert.True(new AttributeSources(repo, new[] { Path.Combine(repo, ".git") }, _ => null, _ => false, Array.Empty<string>(), attributeSource: "HEAD").MayApply("a.safetensors"));
        Assert.False(Sources(repo, config: Config(("core.attributesFile", Path.Combine(temp.Path, "absent")))).MayApply("a.safetensors"));
    }

    [Fact]
    public void A_gitattributes_only_in_the_index_counts_as_a_mention()
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, ".gitattributes", "*.pt filter=theta\n");

        Assert.True(Sources(repo, staged: p => p == "models/.gitattributes").MayApply("models/b.safetensors"));
        Assert.False(Sources(repo, staged: p => p == "models/.gitattributes").MayApply("other/d.onnx"));
        Assert.False(Sources(repo, staged: p => p == ".gitattributes").MayApply("a.safetensors"));

        File.Delete(Path.Combine(repo, ".gitattributes"));
        Assert.True(Sources(repo, staged: p => p == ".gitattributes").MayApply("a.safetensors"));
    }

    [Fact]
    public void Whatever_git_reports_a_theta_attribute_for_is_a_path_that_may_apply()
    {
        using var temp = new TempDirectory();
        var repo = NewRepository(temp, ".gitattributes", "*.safetensors filter=theta\n");
        Write(repo, "models/deep/.gitattributes", "c.pt theta-format=pytorch\n");
        Write(repo, "other/.gitattributes", "*.onnx -theta-update\n");

        var sources = Sources(repo);
        foreach (var path in Paths)
        {
            var fromGit = GitAttributes.GetMany(repo, path, GitAttributes.FormatAttribute, "theta-update");
            if (fromGit.Count > 0)
            {
                Assert.True(sources.MayApply(path), path);
            }
        }

        Assert.True(sources.MayApply("models/deep/c.pt"));
        Assert.True(sources.MayApply("other/d.onnx"));
        Assert.False(sources.MayApply("models/b.safetensors"));
    }

    [Fact]
    public void The_system_file_is_looked_for_beside_every_git_on_path_and_its_exec_path()
    {
        using var temp = new TempDirectory();
        var bin = Path.Combine(temp.Path, "opt", "git", "bin");
        var execPath = Path.Combine(temp.Path, "opt", "git", "libexec", "git-core");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(execPath);
        File.WriteAllText(Path.Combine(bin, "git"), string.Empty);
        var noGit = Path.Combine(temp.Path, "tools");
        Directory.CreateDirectory(noGit);

        var candidates = AttributeSources.SystemFileCandidates(string.Join(Path.PathSeparator, noGit, bin), execPath)!;
        Assert.Contains("/etc/gitattributes", candidates);
        Assert.Contains(Path.Combine(temp.Path, "opt", "git", "etc", "gitattributes"), candidates);
        Assert.DoesNotContain(candidates, c => c.StartsWith(noGit, StringComparison.Ordinal));

        Assert.Null(AttributeSources.SystemFileCandidates(noGit, execPath: null));
        Assert.Null(AttributeSources.SystemFileCandidates(null, execPath: null));
    }

    private static string NewRepository(TempDirectory temp, string file, string text)
    {
        var repo = Path.Combine(temp.Path, "repo");
        Directory.CreateDirectory(repo);
        GitCli.Run(repo, "init", "-q").ThrowIfFailed(new[] { "init" });
        Write(repo, file, text);
        return repo;
    }

    private static void Write(string repo, string relative, string text)
    {
        var path = Path.Combine(repo, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static Func<string, string?> Config(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => string.Equals(v.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static AttributeSources Sources(
        string repo,
        Func<string, string?>? config = null,
        Func<string, bool>? staged = null,
        IReadOnlyList<string>? systemFiles = null) =>
        new(repo, new[] { Path.Combine(repo, ".git") }, config ?? (_ => null), staged ?? (_ => false), systemFiles ?? Array.Empty<string>());

    private static void AssertNoThetaAttributeFromGit(string repo)
    {
        foreach (var path in Paths)
        {
            Assert.Empty(GitAttributes.GetMany(repo, path, GitAttributes.FormatAttribute, "theta-update"));
        }
    }
}
