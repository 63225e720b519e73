namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>
/// A repository with a checkpoint committed through git-theta twice (v1, tagged "v1", then v2 with two groups
/// fine-tuned) and pushed, objects included, to a bare remote. The project files a test adds go in with v2.
/// </summary>
public sealed class ModelHistory
{
    private ModelHistory(Workspace workspace, string source, string remote, string modelPath, byte[] v1, byte[] v2, string v1Commit, string v2Commit)
    {
        Workspace = workspace;
        Source = source;
        Remote = remote;
        ModelPath = modelPath;
        V1 = v1;
        V2 = v2;
        V1Commit = v1Commit;
        V2Commit = v2Commit;
    }

    public Workspace Workspace { get; }

    /// <summary>The repository the history was made in; git-theta (the test build's) is installed there.</summary>
    public string Source { get; }

    public string Remote { get; }

    /// <summary>The checkpoint's repository-relative path.</summary>
    public string ModelPath { get; }

    public byte[] V1 { get; }

    public byte[] V2 { get; }

    public string V1Commit { get; }

    public string V2Commit { get; }

    /// <summary>
    /// Makes the history; <paramref name="addProjectFiles"/> writes the consumer project into the source repository before
    /// v2 is committed. A <paramref name="retiredModelPath"/> holds v1's checkpoint too, in v1 only: v2 deletes it.
    /// </summary>
    public static ModelHistory Create(Workspace workspace, string modelPath, Action<string> addProjectFiles, byte[]? v1 = null, byte[]? v2 = null, string? retiredModelPath = null)
    {
        var remote = workspace.Path("remote.git");
        Directory.CreateDirectory(remote);
        workspace.GitOk(remote, "init", "-q", "--bare");

        var source = workspace.Path("source");
        Directory.CreateDirectory(source);
        workspace.GitOk(source, "init", "-q");
        workspace.ThetaOk(source, "install");
        workspace.ThetaOk(source, "track", modelPath);
        if (retiredModelPath is not null)
        {
            workspace.ThetaOk(source, "track", retiredModelPath);
        }

        v1 ??= SafetensorsFile.Create(groups: 6, seed: 1);
        v2 ??= SafetensorsFile.Create(groups: 6, seed: 2, changedGroups: 2);
        var model = Path.Combine(source, modelPath);
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        File.WriteAllBytes(model, v1);
        var retired = retiredModelPath is null ? null : Path.Combine(source, retiredModelPath);
        if (retired is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(retired)!);
            File.WriteAllBytes(retired, v1);
        }

        workspace.GitOk(source, "add", "-A");
        workspace.GitOk(source, "commit", "-q", "-m", "v1");
        workspace.GitOk(source, "tag", "v1");
        var v1Commit = workspace.GitOk(source, "rev-parse", "HEAD").Trim();

        File.WriteAllBytes(model, v2);
        if (retired is not null)
        {
            File.Delete(retired);
        }

        addProjectFiles(source);
        File.WriteAllText(Path.Combine(source, ".gitignore"), "bin/\nobj/\n");
        workspace.GitOk(source, "add", "-A");
        workspace.GitOk(source, "commit", "-q", "-m", "v2 and the project");
        var v2Commit = workspace.GitOk(source, "rev-parse", "HEAD").Trim();

        workspace.GitOk(source, "remote", "add", "origin", remote);
        workspace.GitOk(source, "push", "-q", "origin", "main", "v1");
        var remoteObjects = Path.Combine(remote, "lfs", "objects");
        if (!Directory.Exists(remoteObjects) || !Directory.EnumerateFiles(remoteObjects, "*", SearchOption.AllDirectories).Any())
        {
            throw new InvalidOperationException("the push did not upload the parameter objects to the bare remote's LFS store");
        }

        return new ModelHistory(workspace, source, remote, modelPath, v1, v2, v1Commit, v2Commit);
    }

    /// <summary>A clone made without the theta filters: the checkpoint is metadata in the work tree and its objects are only on the remote.</summary>
    public string CloneWithoutFilters(string name = "clone")
    {
        var clone = Workspace.Path(name);
        Workspace.GitOk(Workspace.Root, "clone", "-q", Remote, clone);
        var checkedOut = File.ReadAllBytes(Path.Combine(clone, ModelPath));
        if (checkedOut.Length == 0 || checkedOut[0] != (byte)'{')
        {
            throw new InvalidOperationException("the clone was expected to hold git-theta metadata, not the checkpoint");
        }

        if (Directory.Exists(Path.Combine(clone, ".git", "lfs", "objects")))
        {
            throw new InvalidOperationException("the clone was expected to have no parameter objects yet");
        }

        return clone;
    }
}
