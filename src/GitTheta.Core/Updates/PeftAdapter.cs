using System.Runtime.InteropServices;
using System.Text.Json;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// A PEFT LoRA or IA3 adapter as PEFT saves it (adapter_model.safetensors or .bin, adapter_config.json beside it), read as
/// low-rank update data: <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and <c>….lora_B.weight</c>
/// [out, r] become the group <c>&lt;module&gt;.weight</c>'s C = A and R = scaling · B, since PEFT's
/// ΔW = B·A·scaling with scaling = lora_alpha / r (lora_alpha / √r when use_rslora is set).
/// </summary>
internal static class PeftAdapter
{
    /// <summary>Names the adapter_config.json when it is not beside the adapter (git theta add --adapter-config).</summary>
    public const string ConfigVariable = "GIT_THETA_ADAPTER_CONFIG";

    private const string Prefix = "base_model.model.";
    private const string DownSuffix = ".lora_A.weight";
    private const string UpSuffix = ".lora_B.weight";
    private const string Ia3Suffix = ".ia3_l";

    /// <summary>True when the tensor names are PEFT's LoRA names.</summary>
    public static bool Is(IEnumerable<string> names) =>
        names.Any(n => n.StartsWith(Prefix, StringComparison.Ordinal)
            && (n.EndsWith(DownSuffix, StringComparison.Ordinal) || n.EndsWith(UpSuffix, StringComparison.Ordinal) || n.EndsWith(Ia3Suffix, StringComparison.Ordinal)));

    /// <summary>The adapter's tensors renamed to <c>&lt;group&gt;/R</c> and <c>&lt;group&gt;/C</c>, scaling folded into R; other tensors keep their names (and are reported as matching no group).</summary>
    public static Dictionary<string, UpdateTensor> ToUpdateData(string path, IReadOnlyDictionary<string, UpdateTensor> tensors)
    {
        var config = ReadConfig(path);
        if (config.Type == "IA3")
        {
            return Ia3(tensors);
        }

        var scaling = config.Scaling;
        var result = new Dictionary<string, UpdateTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(UpSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(DownSuffix, StringComparison.Ordinal))
            {
                result[name] = tensor;
                continue;
            }

            var module = name[Prefix.Length..^DownSuffix.Length];
            if (!tensors.TryGetValue(Prefix + module + UpSuffix, out var up) || up.Info.Shape.Count != 2 || !DTypes.IsFloatingPoint(up.Info.DType))
            {
                throw new ThetaException(DiagnosticIds.PeftAdapterUnusable, $"the PEFT adapter '{path}' has '{name}' but no 2-D floating-point '{Prefix}{module}{UpSuffix}'; give the adapter as PEFT saved it.");
            }

            var group = module + ".weight";
            var scaled = up.ToDoubles().Select(v => v * scaling).ToArray();
            result[group + "/R"] = new UpdateTensor(new TensorInfo(group + "/R", DType.F64, up.Info.Shape.ToArray()), MemoryMarshal.AsBytes(scaled.AsSpan()).ToArray());
            result[group + "/C"] = new UpdateTensor(tensor.Info with { Name = group + "/C" }, tensor.Data);
        }

        return result;
    }

    /// <summary>
    /// IA3: <c>base_model.model.&lt;module&gt;.ia3_l</c> scales the group <c>&lt;module&gt;.weight</c> as PEFT's merge
    /// multiplies it: [out, 1] scales the outputs (rows), [1, in] the inputs of a feed-forward module (columns); both
    /// broadcast to the weight as they are.
    /// </summary>
    private static Dictionary<string, UpdateTensor> Ia3(IReadOnlyDictionary<string, UpdateTensor> tensors)
    {
        var result = new Dictionary<string, UpdateTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Ia3Suffix, StringComparison.Ordinal))
            {
                var group = name[Prefix.Length..^Ia3Suffix.Length] + ".weight";
                result[group + "/ia3"] = new UpdateTensor(tensor.Info with { Name = group + "/ia3" }, tensor.Data);
            }
            else
            {
                result[name] = tensor;
            }
        }

        return result;
    }

    private static (string Type, double Scaling) ReadConfig(string path)
    {
        var config = Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 } named
            ? named
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "adapter_config.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            var root = document.RootElement;
            var kind = root.TryGetProperty("peft_type", out var type) && type.GetString() is { } given ? given : "LORA";
            if (kind == "IA3")
            {
                return (kind, 1);
            }

            if (kind != "LORA")
            {
                throw new ThetaException(DiagnosticIds.PeftAdapterUnusable, $"the PEFT adapter config '{config}' is peft_type {kind}; git-theta reads LORA adapters (as low-rank) and IA3 adapters (as ia3).");
            }

            var rank = root.GetProperty("r").GetDouble();
            var alpha = root.GetProperty("lora_alpha").GetDouble();
            var rsLora = root.TryGetProperty("use_rslora", out var rs) && rs.ValueKind == JsonValueKind.True;
            if (rank <= 0)
            {
                throw new ThetaException(DiagnosticIds.PeftAdapterUnusable, $"the PEFT adapter config '{config}' has r {rank}; it must be positive.");
            }

            return (kind, rsLora ? alpha / Math.Sqrt(rank) : alpha / rank);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ThetaException(DiagnosticIds.PeftAdapterUnusable, $"cannot read the PEFT adapter config '{config}' ({e.Message}); put PEFT's adapter_config.json (with r and lora_alpha) beside '{path}' or name it with --adapter-config.");
        }
    }
}
