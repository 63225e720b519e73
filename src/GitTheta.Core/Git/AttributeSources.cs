namespace GitTheta.Core.Git;

/// <summary>
/// Whether any attribute file git reads for a path could set one of git-theta's own attributes (<c>theta-format</c>,
/// <c>theta-update</c>): when none of them even mentions <c>theta-</c>, git's answer is known without asking it, and a
/// clean of many small checkpoints saves a round trip through <c>git check-attr</c> per file (about 15 µs of each
/// file's 300 µs here).
/// <para>
/// It looks where git 2.39 looks (gitattributes(5)): the system file, the global one (<c>core.attributesFile</c> or
/// the XDG default), <c>$GIT_DIR/info/attributes</c>, and the <c>.gitattributes</c> of the root and of every folder
/// on the path, in the work tree or, where the work tree has none, in the index. Every doubt answers "may": a file
/// that cannot be read or is large, a <c>.gitattributes</c> only in the index, a system file whose place is not known
/// (Windows, or no git on PATH), an <c>attr.tree</c> setting or <c>GIT_ATTR_SOURCE</c> (newer gits then read
/// attributes from a tree). A macro that sets a theta attribute names it too, so it is found the same way. Each file
/// is read once per process, as the long-running <c>git check-attr</c> it stands in for reads each once.
/// </para>
/// </summary>
internal sealed class AttributeSources
{
    /// <summary>What every git-theta attribute name starts with.</summary>
    internal const string Marker = "theta-";

    /// <summary>Attribute files larger than this are not read: they count as mentioning the marker.</summary>
    internal const long MaxReadBytes = 4 << 20;

    private readonly string workTree;
    private readonly Func<string, bool> staged;
    private readonly Lazy<bool> outsideTree;
    private readonly Dictionary<string, bool> folders = new(StringComparer.Ordinal);
    private readonly object gate = new();

    /// <param name="workTree">The work tree's root.</param>
    /// <param name="gitDirectories">The repository's git folder and its common folder (for <c>info/attributes</c>).</param>
    /// <param name="config">The repository's git config, for <c>core.attributesFile</c> and <c>attr.tree</c>.</param>
    /// <param name="staged">Whether the index holds a file at a repository-relative path.</param>
    /// <param name="systemFiles">Where the system attribute file may be; null when that is not known.</param>
    /// <param name="attributeSource">GIT_ATTR_SOURCE: a tree newer gits read attributes from instead.</param>
    public AttributeSources(
        string workTree,
        IEnumerable<string> gitDirectories,
        Func<string, string?> config,
        Func<string, bool> staged,
        IReadOnlyList<string>? systemFiles,
        string? attributeSource = null)
    {
        this.workTree = workTree;
        this.staged = staged;
        var directories = gitDirectories.ToList();
        outsideTree = new Lazy<bool>(() =>
            systemFiles is null
            || !string.IsNullOrEmpty(config("attr.tree"))
            || !string.IsNullOrEmpty(attributeSource)
            || systemFiles.Any(Mentions)
            || GlobalFiles(config).Any(Mentions)
            || directories.Any(d => Mentions(Path.Combine(d, "info", "attributes")))
            || FolderMayMention(string.Empty));
    }

    /// <summary>For a repository: its folders and config, and the system file where git on PATH says it is.</summary>
    public static AttributeSources For(GitRepository repository, string workTree) =>
        new(
            workTree,
            new[] { repository.GitDirectory, repository.CommonDirectory },
            repository.GetConfig,
            path => repository.IndexBlobId(path) is not null,
            SystemFileCandidates(Environment.GetEnvironmentVariable("PATH"), Environment.GetEnvironmentVariable("GIT_EXEC_PATH")),
            Environment.GetEnvironmentVariable("GIT_ATTR_SOURCE"));

    /// <summary>False only when no attribute file git reads for this repository-relative path mentions a theta attribute.</summary>
    public bool MayApply(string relativePath)
    {
        if (outsideTree.Value)
        {
            return true;
        }

        var folder = relativePath;
        while ((folder = ParentOf(folder)).Length > 0)
        {
            if (FolderMayMention(folder))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Where git keeps its system attribute file (<c>$(prefix)/etc/gitattributes</c>, or <c>/etc/gitattributes</c>
    /// for a git installed under <c>/usr</c>), worked out from every folder of PATH that holds git or is git's exec path
    /// (git puts its exec path first on the PATH of the filters it starts). Null where that cannot be known.
    /// </summary>
    internal static IReadOnlyList<string>? SystemFileCandidates(string? path, string? execPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var folders = (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(f => Path.IsPathFullyQualified(f) && (File.Exists(Path.Combine(f, "git")) || Path.GetFileName(f.TrimEnd('/')) == "git-core"))
            .ToList();
        if (!string.IsNullOrEmpty(execPath) && Path.IsPathFullyQualified(execPath))
        {
            folders.Add(execPath);
        }

        if (folders.Count == 0)
        {
            return null;
        }

        var candidates = new List<string> { "/etc/gitattributes" };
        foreach (var folder in folders.SelectMany(WithLinkTarget))
        {
            // bin/git has its prefix one folder up, libexec/git-core/git two.
            var prefix = Path.GetDirectoryName(folder.TrimEnd('/'));
            if (prefix is null)
            {
                continue;
            }

            candidates.Add(Path.Combine(prefix, "etc", "gitattributes"));
            if (Path.GetDirectoryName(prefix) is { } upper)
            {
                candidates.Add(Path.Combine(upper, "etc", "gitattributes"));
            }
        }

        return candidates.Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> WithLinkTarget(string folder)
    {
        yield return folder;
        string? target = null;
        try
        {
            var git = new FileInfo(Path.Combine(folder, "git"));
            target = git.Exists ? git.ResolveLinkTarget(returnFinalTarget: true)?.FullName : null;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        if (target is not null && Path.GetDirectoryName(target) is { } real)
        {
            yield return real;
        }
    }

    private static IEnumerable<string> GlobalFiles(Func<string, string?> config)
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (config("core.attributesFile") is { Length: > 0 } configured)
        {
            yield return configured.StartsWith("~/", StringComparison.Ordinal) && !string.IsNullOrEmpty(home)
                ? Path.Combine(home, configured[2..])
                : configured;
        }

        if (Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg)
        {
            yield return Path.Combine(xdg, "git", "attributes");
        }

        if (!string.IsNullOrEmpty(home))
        {
            yield return Path.Combine(home, ".config", "git", "attributes");
        }
    }

    private static string ParentOf(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? string.Empty : relativePath[..slash];
    }

    /// <summary>Whether the file mentions the marker; false when there is no such file, true when it cannot be told.</summary>
    private static bool Mentions(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                return false;
            }

            if (info.Length > MaxReadBytes)
            {
                return true;
            }

            var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file));
            return text.Contains(Marker, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The <c>.gitattributes</c> of one folder ("" for the root): the work tree's, or the index's where the work tree has none.</summary>
    private bool FolderMayMention(string folder)
    {
        lock (gate)
        {
            if (folders.TryGetValue(folder, out var known))
            {
                return known;
            }

            var relative = folder.Length == 0 ? ".gitattributes" : folder + "/.gitattributes";
            var file = Path.Combine(workTree, relative);
            var mentions = File.Exists(file) ? Mentions(file) : Directory.Exists(file) || staged(relative);
            folders[folder] = mentions;
            return mentions;
        }
    }
}
