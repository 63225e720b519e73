using System.Text;
using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// A ThetaModel stored by plain git-lfs (a Hub tokenizer.json), in a clone that holds its git-lfs pointer: the build
/// ships the content the pointer names, fetched through git-lfs, or fails with GT1011; never the pointer.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class LfsPointerModelTests : IDisposable
{
    private const string Items = """
            <ThetaModel Include="tokenizer.json" Name="Tokenizer" />
            <ThetaModel Include="tokenizer.json" Revision="v1" Link="tokenizer-v1.json" Name="TokenizerV1" />

        """;

    private readonly Workspace workspace;

    public LfsPointerModelTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void A_git_lfs_pointer_ships_as_its_content_and_without_git_lfs_fails_with_GT1011()
    {
        var (clone, v1, v2) = PointerClone();
        var app = Path.Combine(clone, "app");
        var output = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework);

        // A machine without git-lfs: nothing can turn the pointer into the file, so the build stops and says what to install.
        workspace.Overrides["PATH"] = workspace.PathWithoutGitLfs();
        Assert.NotEqual(0, workspace.Git(app, "lfs", "version").ExitCode);
        var withoutLfs = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false");
        Assert.NotEqual(0, withoutLfs.ExitCode);
        var errors = withoutLfs.Output.Split('\n').Where(l => l.Contains("error GT1011", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, l => l.Contains(Path.Combine(app, "app.csproj") + " : error GT1011: ThetaModel 'tokenizer.json': the file is a git-lfs pointer (object ", StringComparison.Ordinal));
        Assert.All(errors, l => Assert.Contains("git-lfs is not installed, so its content cannot be fetched (the pointer is never shipped as the model); install git-lfs (https://git-lfs.com, or 'apt-get install git-lfs') and build again.", l));
        Assert.DoesNotContain("   at ", withoutLfs.Log);
        Assert.False(File.Exists(Path.Combine(output, "tokenizer.json")), "the pointer is never shipped");
        Assert.False(File.Exists(Path.Combine(app, "obj", "gittheta", "tokenizer.json")), "no half-written model");

        // With git-lfs installed, both the work tree's and the pinned revision's pointer become the files, from the LFS remote.
        workspace.Overrides.Remove("PATH");
        var build = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: materialized tokenizer.json from its git-lfs pointer", build.Log);
        Assert.Contains("GitTheta: materialized tokenizer.json as of v1", build.Log);
        Assert.Equal(v2, File.ReadAllBytes(Path.Combine(output, "tokenizer.json")));
        Assert.Equal(v1, File.ReadAllBytes(Path.Combine(output, "tokenizer-v1.json")));
        Assert.StartsWith("version https://git-lfs.github.com/spec/v1", File.ReadAllText(Path.Combine(app, "tokenizer.json")));

        // Published with verification, the content is checked against the pointer's SHA-256.
        var publish = workspace.Dotnet(app, "publish", "-p:GitThetaVerify=true", "-p:GitThetaConfigureRepository=false", "-o", workspace.Path("publish")).EnsureSuccess();
        Assert.Equal(v2, File.ReadAllBytes(workspace.Path("publish", "tokenizer.json")));
        Assert.Contains("GitTheta: verified tokenizer.json in the publish folder against its git-lfs object", publish.Log);
    }

    [Fact]
    public void Restore_fetches_the_git_lfs_objects_so_an_offline_build_ships_the_content()
    {
        var (clone, v1, v2) = PointerClone();
        var app = Path.Combine(clone, "app");

        var restore = workspace.Dotnet(app, "restore", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: fetched git-lfs object ", restore.Log);

        Directory.Move(workspace.Path("remote.git"), workspace.Path("remote.git.offline"));
        workspace.Dotnet(app, "build", "--no-restore", "-p:GitThetaConfigureRepository=false").EnsureSuccess();

        var output = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework);
        Assert.Equal(v2, File.ReadAllBytes(Path.Combine(output, "tokenizer.json")));
        Assert.Equal(v1, File.ReadAllBytes(Path.Combine(output, "tokenizer-v1.json")));
    }

    [Fact]
    public void A_git_lfs_object_the_remote_does_not_have_is_GT1011_and_nothing_ships()
    {
        var (clone, _, _) = PointerClone();
        var app = Path.Combine(clone, "app");
        Directory.Delete(workspace.Path("remote.git", "lfs"), recursive: true);

        var build = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false");

        Assert.NotEqual(0, build.ExitCode);
        var errors = build.Output.Split('\n').Where(l => l.Contains("error GT1011", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, l => Assert.Contains("and git-lfs could not fetch it (", l));
        Assert.All(errors, l => Assert.Contains("check that the LFS remote has it ('git lfs fetch') and build again.", l));
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "tokenizer.json")));
    }

    /// <summary>
    /// A repository whose app/tokenizer.json is stored by git-lfs (v1, tagged, then v2), pushed with its objects to a
    /// bare remote, and a clone of it made without git-lfs's filters: the clone's tokenizer.json is a pointer.
    /// </summary>
    private (string Clone, byte[] V1, byte[] V2) PointerClone()
    {
        var remote = workspace.Path("remote.git");
        Directory.CreateDirectory(remote);
        workspace.GitOk(remote, "init", "-q", "--bare");
        var source = workspace.Path("source");
        Directory.CreateDirectory(source);
        workspace.GitOk(source, "init", "-q");
        workspace.GitOk(source, "lfs", "install", "--local");
        workspace.GitOk(source, "lfs", "track", "app/tokenizer.json");
        var v1 = Encoding.UTF8.GetBytes("{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{" + string.Join(',', Enumerable.Range(0, 200).Select(i => $"\"t{i}\":{i}")) + "}}}\n");
        var v2 = Encoding.UTF8.GetBytes("{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{" + string.Join(',', Enumerable.Range(0, 300).Select(i => $"\"w{i}\":{i}")) + "}}}\n");
        var app = Path.Combine(source, "app");
        ConsumerProject.Write(app, workspace.Sdk, ConsumerProject.Consumption.Sdk, Items, "Console.WriteLine(app.ThetaModels.Tokenizer.Bytes);\n", "    <GitThetaCheckTracking>false</GitThetaCheckTracking>\n");
        File.WriteAllText(Path.Combine(source, ".gitignore"), "bin/\nobj/\n");
        File.WriteAllBytes(Path.Combine(app, "tokenizer.json"), v1);
        workspace.GitOk(source, "add", "-A");
        workspace.GitOk(source, "commit", "-q", "-m", "v1");
        workspace.GitOk(source, "tag", "v1");
        File.WriteAllBytes(Path.Combine(app, "tokenizer.json"), v2);
        workspace.GitOk(source, "commit", "-q", "-am", "v2");
        Assert.StartsWith("version https://git-lfs.github.com/spec/v1", workspace.GitOk(source, "show", "v1:app/tokenizer.json"));
        workspace.GitOk(source, "remote", "add", "origin", remote);
        workspace.GitOk(source, "push", "-q", "origin", "main", "v1");
        Assert.True(Directory.Exists(Path.Combine(remote, "lfs", "objects")), "git-lfs's pre-push uploaded the objects");

        var clone = workspace.Path("clone");
        workspace.GitOk(workspace.Root, "clone", "-q", remote, clone);
        Assert.StartsWith("version https://git-lfs.github.com/spec/v1", File.ReadAllText(Path.Combine(clone, "app", "tokenizer.json")));
        return (clone, v1, v2);
    }

    public void Dispose() => workspace.Dispose();
}
