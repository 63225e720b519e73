namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>A repository inside a <see cref="Sandbox"/>.</summary>
public sealed class GitRepo
{
    public GitRepo(Sandbox sandbox, string directory)
    {
        Sandbox = sandbox;
        Directory = directory;
    }

    public Sandbox Sandbox { get; }

    public string Directory { get; }

    public string LfsObjects => System.IO.Path.Combine(Directory, ".git", "lfs", "objects");

    public string Path(string relative) => System.IO.Path.Combine(Directory, relative);

    public ProcessResult Git(params string[] arguments) => Sandbox.Git(Directory, arguments);

    public string GitOk(params string[] arguments) => Git(arguments).EnsureSuccess("git " + string.Join(' ', arguments)).Output;

    public ProcessResult Theta(params string[] arguments) => Sandbox.Theta(Directory, arguments);

    public string ThetaOk(params string[] arguments) => Theta(arguments).EnsureSuccess("git-theta " + string.Join(' ', arguments)).Output;

    /// <summary>Every object file in the repository's LFS store.</summary>
    /// <summary>The oids of the objects in the theta store (git-lfs's store holds only those pushed or downloaded).</summary>
    public HashSet<string> StoredObjects() =>
        System.IO.Directory.Exists(this.ThetaObjects())
            ? System.IO.Directory.EnumerateFiles(this.ThetaObjects(), "*", SearchOption.AllDirectories).Select(System.IO.Path.GetFileName).ToHashSet()!
            : new HashSet<string>();

    public void Write(string relative, byte[] bytes)
    {
        var full = Path(relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    public byte[] Read(string relative) => File.ReadAllBytes(Path(relative));

    /// <summary>The committed blob, as git stores it (metadata for a tracked checkpoint).</summary>
    public string Show(string revisionPath) => GitOk("show", revisionPath);

    public string Commit(string message)
    {
        GitOk("commit", "-q", "-m", message);
        return GitOk("rev-parse", "HEAD").Trim();
    }
}
