using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.IO;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>
/// A fresh safetensors header in the style the safetensors libraries write: compact JSON, <c>__metadata__</c> (taken
/// verbatim from our header) first, then each tensor with back-to-back <c>data_offsets</c> in data order, padded with
/// spaces to a multiple of 8 bytes, after its 8-byte little-endian length.
/// </summary>
internal sealed class SafetensorsContainerComposer : IContainerComposer
{
    private const int Alignment = 8;

    public string FormatName => SafetensorsFormat.FormatName;

    public byte[] Compose(ReadOnlySpan<byte> template, IReadOnlyList<TensorInfo> groups, string path)
    {
        var json = new StringBuilder("{");
        if (MetadataOf(template, path) is { } metadata)
        {
            json.Append(JsonStringLiteral.Quote(SafetensorsHeader.MetadataKey)).Append(':').Append(metadata);
        }

        long offset = 0;
        foreach (var group in groups)
        {
            var end = checked(offset + group.ByteLength);
            json.Append(json.Length > 1 ? "," : string.Empty)
                .Append(JsonStringLiteral.Quote(group.Name))
                .Append(":{\"dtype\":\"").Append(DTypes.Name(group.DType))
                .Append("\",\"shape\":[").Append(string.Join(",", group.Shape))
                .Append("],\"data_offsets\":[").Append(offset).Append(',').Append(end).Append("]}");
            offset = end;
        }

        json.Append('}');
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        var padded = (bytes.Length + Alignment - 1) / Alignment * Alignment;
        var container = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(container, (ulong)padded);
        bytes.CopyTo(container, 8);
        container.AsSpan(8 + bytes.Length).Fill((byte)' ');
        return container;
    }

    /// <summary>The raw JSON of the template's <c>__metadata__</c>, or null when it has none.</summary>
    private static string? MetadataOf(ReadOnlySpan<byte> template, string path)
    {
        if (template.Length < 8)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{path}: the stored safetensors container is too short; run 'git theta verify'.");
        }

        var length = SafetensorsHeader.ReadLength(template, path);
        if (length > template.Length - 8)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{path}: the stored safetensors container is inconsistent; run 'git theta verify'.");
        }

        using var document = JsonDocument.Parse(template.Slice(8, (int)length).ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(SafetensorsHeader.MetadataKey, out var metadata)
            ? metadata.GetRawText()
            : null;
    }
}
