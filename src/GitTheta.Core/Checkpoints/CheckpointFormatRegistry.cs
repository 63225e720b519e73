using GitTheta.Core.Checkpoints.Gguf;
using GitTheta.Core.Checkpoints.Onnx;
using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Checkpoints.TorchSharp;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints;

/// <summary>Every checkpoint format the engine knows; adding a format is adding one class here.</summary>
internal sealed class CheckpointFormatRegistry
{
    private readonly List<ICheckpointFormat> formats = new();

    public CheckpointFormatRegistry(IEnumerable<ICheckpointFormat> formats)
    {
        this.formats.AddRange(formats);
    }

    public static CheckpointFormatRegistry Default { get; } = new(new ICheckpointFormat[] { new SafetensorsFormat(), new PyTorchFormat(), new OnnxFormat(), new GgufFormat(), new TorchSharpFormat() });

    public IReadOnlyList<ICheckpointFormat> Formats => formats;

    public int SniffLength => formats.Max(f => f.SniffLength);

    public string SupportedNames => string.Join(", ", formats.Select(f => f.Name));

    public ICheckpointFormat Get(string name, string path) =>
        formats.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ThetaException(DiagnosticIds.UnknownFormat, $"{path}: unknown checkpoint format '{name}'. Supported formats: {SupportedNames}.");

    /// <summary>The format whose signature the bytes carry, else the one the file name's ending suggests, else null.</summary>
    public ICheckpointFormat? Detect(ReadOnlySpan<byte> prefix, string? path = null)
    {
        foreach (var format in formats)
        {
            if (format.Sniff(prefix))
            {
                return format;
            }
        }

        if (path is not null && prefix.Length > 0)
        {
            foreach (var format in formats)
            {
                if (format.Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                {
                    return format;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Opens a reader on a checkpoint: the format named (an attribute, an option), else the one its leading bytes or
    /// its file name reveal. The one place a format is detected and opened; <paramref name="seekable"/> is rewound.
    /// </summary>
    /// <param name="unknown">The error when no format recognises the bytes; by default GT2005 naming the supported formats.</param>
    /// <exception cref="ThetaException">GT2005 when no format is named and none recognises the bytes.</exception>
    public ICheckpointReader Open(Stream seekable, string path, string? formatName = null, Func<ThetaException>? unknown = null)
    {
        var format = formatName is { Length: > 0 } ? Get(formatName, path) : Detect(seekable, path)
            ?? throw (unknown?.Invoke() ?? new ThetaException(DiagnosticIds.UnknownFormat, $"{path}: not a checkpoint format git-theta recognises. Supported formats: {SupportedNames}."));
        return format.OpenReader(seekable, path);
    }

    /// <summary>The format of a checkpoint read from the start of a seekable stream (rewound afterwards), or null.</summary>
    public ICheckpointFormat? Detect(Stream seekable, string path)
    {
        var start = seekable.Position;
        var prefix = new byte[Math.Max(SniffLength, 4096)];
        var sniffed = seekable.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        seekable.Position = start;
        return Detect(prefix.AsSpan(0, sniffed), path);
    }
}
