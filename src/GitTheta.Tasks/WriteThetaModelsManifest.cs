using System.Text;
using System.Text.Json;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>Writes <c>$(AssemblyName).thetamodels.json</c>: the models that ship with the output, for tools and deployment checks.</summary>
public sealed class WriteThetaModelsManifest : ThetaTask
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputFile { get; set; } = string.Empty;

    protected override void Run()
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", "gittheta-models/1");
            json.WriteStartArray("models");
            foreach (var model in Models.Select(m => ModelDescription.From(m, FormatsFor)).OrderBy(m => m.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", model.Name);
                json.WriteString("path", model.Path);
                json.WriteString("revision", model.Revision);
                json.WriteString("commit", model.Commit);
                json.WriteString("metadataOid", model.MetadataOid);
                json.WriteNumber("parameterCount", model.ParameterCount);
                json.WriteNumber("bytes", model.Bytes);
                json.WriteString("format", model.Format);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
        if (GeneratedFile.WriteIfChanged(OutputFile, text))
        {
            Detail($"wrote {OutputFile}.");
        }
    }
}
