using System.Text;

namespace GitTheta.Tasks;

/// <summary>Writes generated files only when their content changes, so that what depends on them stays up to date.</summary>
internal static class GeneratedFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Returns true when the file was written.</summary>
    public static bool WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path, Utf8) == content)
        {
            return false;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, content, Utf8);
        File.Move(temp, path, overwrite: true);
        return true;
    }
}
