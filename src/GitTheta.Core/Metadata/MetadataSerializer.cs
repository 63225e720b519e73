using System.Globalization;
using System.Text;
using System.Text.Json;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.IO;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Metadata;

/// <summary>
/// Theta metadata as deterministic JSON: keys sorted by ordinal, two-space indentation, scalar
/// arrays on one line, <c>\n</c> line ends and a final newline, no timestamps. The same checkpoint
/// always cleans to the same bytes, and <c>git log -p</c> of them reads well.
/// </summary>
internal static class MetadataSerializer
{
    /// <summary>Metadata larger than this is not metadata (a checkpoint that happens to start with '{').</summary>
    public const int MaxMetadataBytes = 256 * 1024 * 1024;

    /// <summary>
    /// The longest update chain metadata may hold to be read at all (checkout, diff, log); git-theta stages at most
    /// <c>UpdateChain.MaxStagedDepth</c>, and resolving a chain is linear in its length.
    /// </summary>
    public const int MaxChainLength = 4096;

    /// <summary>
    /// The largest object size metadata may name (1 TiB): far above any one parameter group, far below the sizes
    /// that make git-lfs fail (2^62 panics it), so a forged size is refused before any tool acts on it.
    /// </summary>
    public const long MaxObjectSize = 1L << 40;

    private const string ChainField = "chain";

    private const string InlineField = "inline";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("\"git-theta/");

    public static byte[] Serialize(ThetaMetadata metadata)
    {
        var sb = new StringBuilder();
        sb.Append("{\n");
        sb.Append("  \"checkpoint\": {\n");
        sb.Append("    \"container\": ");
        AppendObjectRef(sb, metadata.Container, 4);
        sb.Append(",\n");
        sb.Append("    \"type\": ").Append(JsonStringLiteral.Quote(metadata.CheckpointType)).Append('\n');
        sb.Append("  },\n");
        sb.Append("  \"format\": ").Append(JsonStringLiteral.Quote(metadata.Format)).Append(",\n");
        sb.Append("  \"parameters\": {");
        var first = true;
        foreach (var (name, entry) in metadata.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(first ? "\n" : ",\n");
            first = false;
            sb.Append("    ").Append(JsonStringLiteral.Quote(name)).Append(": {\n");
            sb.Append("      \"object\": ");
            AppendObjectRef(sb, entry.Object, 6);
            sb.Append(",\n");
            sb.Append("      \"tensor\": {\n");
            sb.Append("        \"dtype\": ").Append(JsonStringLiteral.Quote(DTypes.Name(entry.Tensor.DType))).Append(",\n");
            sb.Append("        \"lsh\": [").Append(string.Join(", ", entry.Tensor.Lsh.Values.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append("],\n");
            sb.Append("        \"shape\": [").Append(string.Join(", ", entry.Tensor.Shape.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append(']');
            if (entry.Tensor.ContentHash is { } contentHash)
            {
                sb.Append(",\n        \"xxh3\": ").Append(JsonStringLiteral.Quote(contentHash));
            }

            if (entry.Tensor.Chunks is { } chunks)
            {
                sb.Append(",\n        \"xxh3_chunks\": {\n");
                sb.Append("          \"bytes\": ").Append(chunks.ChunkBytes.ToString(CultureInfo.InvariantCulture)).Append(",\n");
                sb.Append("          \"hashes\": [").Append(string.Join(", ", chunks.Hashes.Select(h => JsonStringLiteral.Quote(ContentHash.Format(h))))).Append("]\n");
                sb.Append("        }");
            }

            sb.Append('\n');
            sb.Append("      },\n");
            sb.Append("      \"update\": ");
            AppendUpdate(sb, entry.Update);
            sb.Append('\n');
            sb.Append("    }");
        }

        sb.Append(first ? "}\n" : "\n  }\n");
        sb.Append("}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A cheap test of the leading bytes: could this be theta metadata?</summary>
    public static bool LooksLikeMetadata(ReadOnlySpan<byte> prefix)
    {
        var i = 0;
        while (i < prefix.Length && prefix[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i < prefix.Length && prefix[i] == (byte)'{' && prefix.IndexOf(Marker) >= 0;
    }

    /// <summary>Parses metadata, or returns null when the bytes are not theta metadata at all.</summary>
    public static ThetaMetadata? TryParse(ReadOnlySpan<byte> bytes, string path)
    {
        if (!LooksLikeMetadata(bytes.Length > 4096 ? bytes[..4096] : bytes) && !LooksLikeMetadata(bytes))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            return FromDocument(document.RootElement, path);
        }
    }

    /// <summary>The metadata a parsed document holds, or null when it is JSON but not theta metadata.</summary>
    private static ThetaMetadata? FromDocument(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
            || format.GetString() is not { } formatName || !formatName.StartsWith("git-theta/", StringComparison.Ordinal))
        {
            return null;
        }

        if (formatName is not (ThetaMetadata.CurrentFormat or ThetaMetadata.InlineFormat))
        {
            throw Malformed(path, $"format '{formatName}' is not one this git-theta reads (it reads {ThetaMetadata.CurrentFormat} and {ThetaMetadata.InlineFormat}); use the GitTheta.Tool version that wrote it");
        }

        return ParseDocument(root, path);
    }

    /// <summary>
    /// Null for bytes that are not metadata at all (a checkpoint); the metadata for bytes that are; and GT2006 for bytes
    /// that claim to be metadata (a JSON object naming a git-theta format) but do not parse: damaged metadata must
    /// never be mistaken for a checkpoint, nor written out as one.
    /// </summary>
    public static ThetaMetadata? ParseIfMetadata(ReadOnlySpan<byte> bytes, string path)
    {
        if (!LooksLikeMetadata(bytes.Length > 4096 ? bytes[..4096] : bytes) && !LooksLikeMetadata(bytes))
        {
            return null;
        }

        // Parsed once: whether the bytes are JSON decides between "damaged metadata" and "not metadata".
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), DocumentOptions);
        }
        catch (JsonException e) when (ClaimsToBeMetadata(bytes.Length > 4096 ? bytes[..4096] : bytes))
        {
            throw Malformed(path, $"the content claims to be git-theta metadata but is not valid JSON ({e.Message.Split(" LineNumber")[0].TrimEnd('.', ' ')}): it was damaged or edited by hand");
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            return FromDocument(document.RootElement, path);
        }
    }

    /// <summary>
    /// A JSON object (its first key follows the brace) with a <c>"format": "git-theta/…"</c> member: what every metadata
    /// blob starts with, and what neither a checkpoint whose first byte happens to be '{' nor other JSON carries.
    /// </summary>
    private static bool ClaimsToBeMetadata(ReadOnlySpan<byte> prefix)
    {
        var text = Encoding.UTF8.GetString(prefix);
        var start = text.AsSpan().TrimStart();
        if (start.Length < 2 || start[0] != '{' || start[1..].TrimStart() is not ['"', ..])
        {
            return false;
        }

        var format = text.IndexOf("\"format\"", StringComparison.Ordinal);
        return format >= 0 && text.AsSpan(format + 8).TrimStart() is [':', .. var rest] && rest.TrimStart().StartsWith("\"git-theta/", StringComparison.Ordinal);
    }

    public static ThetaMetadata Parse(ReadOnlySpan<byte> bytes, string path) =>
        TryParse(bytes, path) ?? throw Malformed(path, "the content is not git-theta metadata");

    private static ThetaMetadata ParseDocument(JsonElement root, string path)
    {
        var checkpoint = Property(root, "checkpoint", JsonValueKind.Object, path, "the file");
        var type = Property(checkpoint, "type", JsonValueKind.String, path, "checkpoint").GetString()!;
        var container = ParseObjectRef(Property(checkpoint, "container", JsonValueKind.Object, path, "checkpoint"), path, "checkpoint.container");
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        foreach (var group in Property(root, "parameters", JsonValueKind.Object, path, "the file").EnumerateObject())
        {
            var where = $"parameter '{group.Name}'";
            if (group.Value.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, $"{where} is not an object");
            }

            var tensor = Property(group.Value, "tensor", JsonValueKind.Object, path, where);
            var dtype = DTypes.Parse(Property(tensor, "dtype", JsonValueKind.String, path, where).GetString(), $"{path}: {where}");
            var shape = Property(tensor, "shape", JsonValueKind.Array, path, where).EnumerateArray()
                .Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) && v >= 0 ? v : throw Malformed(path, $"{where} has an invalid shape"))
                .ToList();
            var lsh = Property(tensor, "lsh", JsonValueKind.Array, path, where).EnumerateArray()
                .Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) ? v : throw Malformed(path, $"{where} has an invalid lsh signature"))
                .ToArray();
            var reference = ParseObjectRef(Property(group.Value, "object", JsonValueKind.Object, path, where), path, where);
            var update = ParseUpdate(Property(group.Value, "update", JsonValueKind.Object, path, where), path, where);
            string? contentHash = null;
            if (tensor.TryGetProperty("xxh3", out var xxh3))
            {
                contentHash = xxh3.ValueKind == JsonValueKind.String && ContentHash.IsValid(xxh3.GetString())
                    ? xxh3.GetString()
                    : throw Malformed(path, $"{where} has an invalid xxh3 fingerprint");
            }

            var chunks = tensor.TryGetProperty("xxh3_chunks", out var chunkField) ? ParseChunks(chunkField, dtype, shape, contentHash, path, where) : null;
            if (!parameters.TryAdd(group.Name, new ParameterEntry(new TensorDescription(dtype, shape, new LshSignature(lsh), contentHash, chunks), reference, update)))
            {
                throw Malformed(path, $"{where} appears twice");
            }
        }

        return new ThetaMetadata(type, container, parameters);
    }

    /// <summary>
    /// A group's chunk fingerprints: valid only beside the whole value's fingerprint, with a chunk size a clean could
    /// have used and exactly as many fingerprints as such chunks cover the value (checked before the list is read, so a
    /// forged shape or count costs nothing).
    /// </summary>
    private static ChunkFingerprints ParseChunks(JsonElement field, DType dtype, IReadOnlyList<long> shape, string? contentHash, string path, string where)
    {
        if (field.ValueKind != JsonValueKind.Object || contentHash is null
            || !field.TryGetProperty("bytes", out var bytesField) || !bytesField.TryGetInt64(out var chunkBytes) || !ChunkFingerprints.IsValidChunkSize(chunkBytes)
            || !field.TryGetProperty("hashes", out var hashesField) || hashesField.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(path, $"{where} has invalid xxh3_chunks (an object of 'bytes', a multiple of 8 from {ChunkFingerprints.MinChunkBytes} to {ChunkFingerprints.MaxChunkBytes}, and 'hashes', beside 'xxh3')");
        }

        long byteLength;
        try
        {
            byteLength = new TensorInfo(string.Empty, dtype, shape).ByteLength;
        }
        catch (Exception e) when (e is OverflowException or ThetaException)
        {
            throw Malformed(path, $"{where} has a shape too large for any value");
        }

        if (hashesField.GetArrayLength() != ChunkFingerprints.CountFor(byteLength, (int)chunkBytes))
        {
            throw Malformed(path, $"{where} has {hashesField.GetArrayLength()} xxh3_chunks fingerprints, but {byteLength} bytes make {ChunkFingerprints.CountFor(byteLength, (int)chunkBytes)} chunks of {chunkBytes}");
        }

        var hashes = new ulong[hashesField.GetArrayLength()];
        var i = 0;
        foreach (var hash in hashesField.EnumerateArray())
        {
            hashes[i++] = hash.ValueKind == JsonValueKind.String && ContentHash.IsValid(hash.GetString())
                ? ulong.Parse(hash.GetString()!, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : throw Malformed(path, $"{where} has an invalid xxh3_chunks fingerprint");
        }

        return new ChunkFingerprints((int)chunkBytes, hashes);
    }

    private static UpdateDescription ParseUpdate(JsonElement update, string path, string where)
    {
        var type = Property(update, "type", JsonValueKind.String, path, where).GetString()!;
        string? baseCommit = null;
        List<UpdateLink>? chain = null;
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in update.EnumerateObject())
        {
            if (field.Name == "type")
            {
                continue;
            }

            if (field.Name == ChainField)
            {
                chain = ParseChain(field.Value, path, where);
                continue;
            }

            if (field.Value.ValueKind != JsonValueKind.String)
            {
                throw Malformed(path, $"{where}: update field '{field.Name}' is not a string");
            }

            if (field.Name == "base")
            {
                baseCommit = field.Value.GetString();
            }
            else
            {
                fields[field.Name] = field.Value.GetString()!;
            }
        }

        return type == "dense" && baseCommit is null && fields.Count == 0 && chain is null
            ? UpdateDescription.Dense
            : new UpdateDescription(type, baseCommit, fields.Count == 0 ? null : fields, chain);
    }

    /// <summary>An update chain: an array of "&lt;type&gt; &lt;oid&gt; &lt;size&gt;" strings (followed by " &lt;base64&gt;" for an inline object), nearest value first.</summary>
    private static List<UpdateLink> ParseChain(JsonElement chain, string path, string where)
    {
        if (chain.ValueKind != JsonValueKind.Array || chain.GetArrayLength() == 0)
        {
            throw Malformed(path, $"{where}: update chain is not an array of 1 to {MaxChainLength} links");
        }

        if (chain.GetArrayLength() > MaxChainLength)
        {
            throw new ThetaException(
                DiagnosticIds.UpdateChainTooDeep,
                $"{path}: {where}: its update chain has {chain.GetArrayLength()} links, more than the {MaxChainLength} git-theta reads. Restore the file from a good commit (git checkout <rev> -- {path}).");
        }

        var links = new List<UpdateLink>(chain.GetArrayLength());
        foreach (var link in chain.EnumerateArray())
        {
            var parts = link.ValueKind == JsonValueKind.String ? link.GetString()!.Split(' ') : Array.Empty<string>();
            if (parts.Length is not (3 or 4) || parts[0].Length == 0 || !ObjectId.IsValid(parts[1])
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size > MaxObjectSize)
            {
                throw Malformed(path, $"{where}: update chain link {links.Count} is not \"<type> <oid> <size>\" (or \"<type> <oid> <size> <base64>\")");
            }

            var reference = parts.Length == 4
                ? InlineObjects.Read(parts[1], size, parts[3], problem => Malformed(path, $"{where}: update chain link {links.Count}: {problem}"))
                : new ObjectRef(parts[1], size);
            links.Add(new UpdateLink(parts[0], reference));
        }

        return links;
    }

    private static ObjectRef ParseObjectRef(JsonElement element, string path, string where)
    {
        var oid = Property(element, "oid", JsonValueKind.String, path, where).GetString();
        var sizeElement = Property(element, "size", JsonValueKind.Number, path, where);
        if (!ObjectId.IsValid(oid) || !sizeElement.TryGetInt64(out var size) || size < 0 || size > MaxObjectSize)
        {
            throw Malformed(path, $"{where} has an invalid object reference (an oid must be 64 lowercase hex digits, a size 0 to {MaxObjectSize} bytes)");
        }

        if (!element.TryGetProperty(InlineField, out var inline))
        {
            return new ObjectRef(oid!, size);
        }

        return inline.ValueKind == JsonValueKind.String
            ? InlineObjects.Read(oid!, size, inline.GetString()!, problem => Malformed(path, $"{where}: {problem}"))
            : throw Malformed(path, $"{where}: '{InlineField}' is not a base64 string");
    }

    private static JsonElement Property(JsonElement element, string name, JsonValueKind kind, string path, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw Malformed(path, $"{where} lacks '{name}' ({kind.ToString().ToLowerInvariant()})");
        }

        return value;
    }

    private static void AppendObjectRef(StringBuilder sb, ObjectRef reference, int indent)
    {
        var pad = new string(' ', indent + 2);
        sb.Append("{\n");
        if (reference.Inline is { } bytes)
        {
            sb.Append(pad).Append('"').Append(InlineField).Append("\": \"").Append(Convert.ToBase64String(bytes)).Append("\",\n");
        }

        sb.Append(pad).Append("\"oid\": ").Append(JsonStringLiteral.Quote(reference.Oid)).Append(",\n");
        sb.Append(pad).Append("\"size\": ").Append(reference.Size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(new string(' ', indent)).Append('}');
    }

    private static void AppendUpdate(StringBuilder sb, UpdateDescription update)
    {
        // Every field is a string except the chain, which is written as an array, one link per line.
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["type"] = update.Type };
        if (update.Base is not null)
        {
            fields["base"] = update.Base;
        }

        foreach (var (key, value) in update.Fields ?? new Dictionary<string, string>())
        {
            if (key is not ("type" or "base" or ChainField))
            {
                fields[key] = value;
            }
        }

        if (update.Chain is { Count: > 0 })
        {
            fields[ChainField] = null;
        }

        sb.Append("{\n");
        var first = true;
        foreach (var (key, value) in fields)
        {
            sb.Append(first ? string.Empty : ",\n");
            first = false;
            sb.Append("        ").Append(JsonStringLiteral.Quote(key)).Append(": ");
            if (value is not null)
            {
                sb.Append(JsonStringLiteral.Quote(value));
                continue;
            }

            sb.Append("[\n");
            for (var i = 0; i < update.Chain!.Count; i++)
            {
                var link = update.Chain[i];
                sb.Append("          ").Append(JsonStringLiteral.Quote(FormattableString.Invariant($"{link.Type} {link.Object.Oid} {link.Object.Size}")
                    + (link.Object.Inline is { } inline ? " " + Convert.ToBase64String(inline) : string.Empty)));
                sb.Append(i + 1 < update.Chain.Count ? ",\n" : "\n");
            }

            sb.Append("        ]");
        }

        sb.Append("\n      }");
    }

    private static ThetaException Malformed(string path, string what) =>
        new(DiagnosticIds.MalformedMetadata, $"{path}: malformed git-theta metadata: {what}. Restore the file from a good commit (git checkout <rev> -- {path}).");
}
