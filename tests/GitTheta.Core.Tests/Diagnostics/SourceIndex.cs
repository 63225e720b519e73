using System.Text.RegularExpressions;

namespace GitTheta.Core.Tests.Diagnostics;

/// <summary>
/// The text of every source file under src/ (C#, MSBuild, scripts), read once, with the questions the diagnostics
/// pages are checked against: which files raise a code, which files declare a type, which folders and targets exist.
/// </summary>
internal sealed class SourceIndex
{
    private static readonly string[] Extensions = { ".cs", ".targets", ".props", ".sh", ".cmd" };

    // Files that only list or map codes (the constants themselves, the code-to-exit-code tables): naming a code
    // there does not raise it.
    private static readonly string[] MappingFiles = { "DiagnosticIds.cs", "ExitCode.cs", "CommandRunner.cs" };

    private readonly Dictionary<string, string> files;

    private SourceIndex(string root, Dictionary<string, string> files)
    {
        Root = root;
        this.files = files;
    }

    public string Root { get; }

    public static SourceIndex Load(string repositoryRoot)
    {
        var src = Path.Combine(repositoryRoot, "src");
        var files = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToDictionary(f => Path.GetRelativePath(src, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        return new SourceIndex(src, files);
    }

    /// <summary>Files (relative to src/) that raise the code: by its constant, or by its literal in MSBuild or a script.</summary>
    public IReadOnlyList<string> FilesRaising(string constant, string code) => files
        .Where(f => !MappingFiles.Contains(Path.GetFileName(f.Key), StringComparer.Ordinal))
        .Where(f => Uses(f.Value, constant, code))
        .Select(f => f.Key)
        .ToList();

    /// <summary>Files (relative to src/) that declare a class, record, struct, interface or enum of this name.</summary>
    public IReadOnlyList<string> FilesDeclaring(string type) => files
        .Where(f => f.Key.EndsWith(".cs", StringComparison.Ordinal))
        .Where(f => Regex.IsMatch(f.Value, $@"\b(class|record|struct|interface|enum)\s+{Regex.Escape(type)}\b"))
        .Select(f => f.Key)
        .ToList();

    public string Text(string file) => files[file];

    /// <summary>Files under a folder such as <c>Checkpoints/PyTorch</c>, in whichever project holds it.</summary>
    public IReadOnlyList<string> FilesUnder(string folder) => files.Keys
        .Where(f => f.Split('/', 2) is [_, var rest] && rest.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal))
        .ToList();

    /// <summary>MSBuild files declaring a target of this name.</summary>
    public IReadOnlyList<string> FilesDeclaringTarget(string target) => files
        .Where(f => f.Value.Contains($"<Target Name=\"{target}\"", StringComparison.Ordinal))
        .Select(f => f.Key)
        .ToList();

    /// <summary>The command class of a CLI verb (<c>pre-push</c> → <c>Commands/PrePushCommand.cs</c>), if there is one.</summary>
    public string? CommandFile(string verb)
    {
        var name = string.Concat(verb.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..])) + "Command.cs";
        var file = "GitTheta.Tool/Commands/" + name;
        return files.ContainsKey(file) ? file : null;
    }

    /// <summary>
    /// Whether a file raises the code itself or through the types it names, followed at most <paramref name="depth"/>
    /// calls deep (a command reaches its error through the reader or service it calls).
    /// </summary>
    public bool Reaches(string file, string constant, string code, int depth)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { file };
        var frontier = new List<string> { file };
        for (var level = 0; level <= depth && frontier.Count > 0; level++)
        {
            if (frontier.Any(f => Uses(files[f], constant, code)))
            {
                return true;
            }

            frontier = frontier
                .SelectMany(f => Regex.Matches(files[f], @"\b[A-Z]\w+\b").Select(m => m.Value).Distinct(StringComparer.Ordinal))
                .Where(TypeFiles.ContainsKey)
                .SelectMany(t => TypeFiles[t])
                .Where(seen.Add)
                .ToList();
        }

        return false;
    }

    private Dictionary<string, List<string>> TypeFiles => typeFiles ??= files
        .Where(f => f.Key.EndsWith(".cs", StringComparison.Ordinal))
        .SelectMany(f => Regex.Matches(f.Value, @"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)").Select(m => (Type: m.Groups[1].Value, File: f.Key)))
        .GroupBy(p => p.Type, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(p => p.File).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

    private Dictionary<string, List<string>>? typeFiles;

    /// <summary>
    /// A C# file uses a code through its constant (<c>DiagnosticIds.X</c>, or a descriptor of the same name); MSBuild
    /// and scripts name the literal code.
    /// </summary>
    public static bool Uses(string text, string constant, string code) =>
        Regex.IsMatch(text, $@"\b{Regex.Escape(constant)}\b") || text.Contains($"\"{code}\"", StringComparison.Ordinal);
}
