using System.Text;

namespace GitTheta.Tasks;

/// <summary>
/// The small file beside a materialized model that names what its bytes are made from: the metadata blob and the
/// path (not the commit or the revision's name: a new commit that leaves the model alone changes neither).
/// It is rewritten only when that changes, so MSBuild's Inputs/Outputs comparison of stamp and model decides whether
/// a model must be materialized again.
/// </summary>
internal static class MaterializeStamp
{
    public const string Extension = ".gittheta-source";

    public static string PathFor(string materializedFile) => materializedFile + Extension;

    /// <summary>Writes the stamp when its content differs; returns true when it did.</summary>
    public static bool Update(string stampFile, string source, string metadataOid, string repositoryPath)
    {
        var content = new StringBuilder()
            .Append("source=").Append(source).Append('\n')
            .Append("metadata=").Append(metadataOid).Append('\n')
            .Append("path=").Append(repositoryPath).Append('\n')
            .ToString();
        if (File.Exists(stampFile) && File.ReadAllText(stampFile) == content)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(stampFile)!);
        var temp = stampFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, stampFile, overwrite: true);
        return true;
    }
}
