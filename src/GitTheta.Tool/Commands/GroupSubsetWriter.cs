using System.Text.RegularExpressions;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using GitTheta.Core.Tensors;

namespace GitTheta.Tool.Commands;

/// <summary>
/// <c>git theta materialize --params &lt;glob&gt;</c>: writes only the named parameter groups, as a safetensors file,
/// so only their objects are read (and fetched). The other groups are left out rather than zero-filled: a partial
/// checkpoint that looks whole would be worse than one that is visibly partial.
/// </summary>
internal static class GroupSubsetWriter
{
    public static int Write(ThetaCheckpoint checkpoint, IReadOnlyList<string> patterns, string destination)
    {
        var matchers = patterns.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant))
            .ToList();
        var groups = checkpoint.Groups.Where(g => matchers.Any(m => m.IsMatch(g.Name))).ToList();
        if (groups.Count == 0)
        {
            throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"no parameter group of {checkpoint.Path} at {checkpoint.Revision} matches '{string.Join(", ", patterns)}'; 'git theta show {checkpoint.Revision}:{checkpoint.Path}' lists the groups.");
        }

        var header = SafetensorsObject.BuildHeader(groups.Select(g => (g.Name, DTypes.Parse(g.DType, checkpoint.Path), g.Shape)).ToList());
        var temporary = destination + ".theta-tmp";
        try
        {
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                output.Write(header);
                foreach (var group in groups)
                {
                    checkpoint.ReadTensor(group.Name, output);
                }
            }

            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return groups.Count;
    }
}
