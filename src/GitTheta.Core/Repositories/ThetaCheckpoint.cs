using System.Runtime.InteropServices;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Diffing;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Repositories;

/// <summary>
/// One version of a tracked checkpoint, as git stores it at a revision (or in the index): its parameter groups, and
/// their values read on demand from the object store. Reading is read-only: every object byte is checked against its
/// SHA-256 as it is read, nothing is written to the repository, and only objects missing from the local store are
/// downloaded (through git-lfs, from the repository's remote).
/// </summary>
public sealed class ThetaCheckpoint
{
    private readonly ThetaRepository repository;
    private readonly Dictionary<string, ThetaGroup> groups;

    internal ThetaCheckpoint(ThetaRepository repository, string path, string revision, string? commit, ThetaMetadata metadata)
    {
        this.repository = repository;
        Path = path;
        Revision = revision;
        Commit = commit;
        Metadata = metadata;
        groups = metadata.Parameters.ToDictionary(p => p.Key, p => new ThetaGroup(p.Key, p.Value), StringComparer.Ordinal);
        Groups = groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The checkpoint's path, relative to the root of the work tree, with '/' separators.</summary>
    public string Path { get; }

    /// <summary>The revision it was opened at, as it was given (<c>HEAD</c> when none was); <see cref="ThetaRepository.Index"/> for the staged version.</summary>
    public string Revision { get; }

    /// <summary>The full id of the commit the revision names; null for the staged version.</summary>
    public string? Commit { get; }

    /// <summary>The checkpoint format: safetensors, pytorch, onnx, gguf or torchsharp.</summary>
    public string Format => Metadata.CheckpointType;

    /// <summary>Every parameter group, ordered by name (ordinal).</summary>
    public IReadOnlyList<ThetaGroup> Groups { get; }

    /// <summary>The number of parameters: the elements of every group together.</summary>
    public long ParameterCount => Groups.Sum(g => g.ElementCount);

    internal ThetaMetadata Metadata { get; }

    /// <summary>The group named <paramref name="name"/>.</summary>
    /// <exception cref="ThetaException">GT2010 when the checkpoint has no such group.</exception>
    public ThetaGroup Group(string name) =>
        groups.TryGetValue(name, out var group)
            ? group
            : throw new ThetaException(
                DiagnosticIds.InvalidArguments,
                $"{Where}: there is no parameter group '{name}'; it has {groups.Count} group(s){Nearby(name)}.");

    /// <summary>
    /// Writes the value of a group into <paramref name="destination"/>: <see cref="ThetaGroup.ValueByteLength"/> bytes,
    /// exactly as the checkpoint holds them (little-endian, row-major, in the group's own dtype).
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the value.</exception>
    /// <exception cref="ThetaException">GT2010 for an unknown group; GT2007 when an object is missing and cannot be fetched; GT2008 when an object is damaged.</exception>
    public int ReadTensor(string name, Span<byte> destination)
    {
        var group = Group(name);
        if (destination.Length < group.ValueByteLength)
        {
            throw new ArgumentException($"'{name}' is {group.ValueByteLength} bytes, but the destination holds {destination.Length}.", nameof(destination));
        }

        var value = ReadValue(group);
        value.CopyTo(destination);
        return value.Length;
    }

    /// <summary>Writes the value of a group into <paramref name="destination"/>; see <see cref="ReadTensor(string, Span{byte})"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public int ReadTensor(string name, Memory<byte> destination) => ReadTensor(name, destination.Span);

    /// <summary>Writes the value of a group to a stream; see <see cref="ReadTensor(string, Span{byte})"/>.</summary>
    /// <exception cref="ThetaException">As <see cref="ReadTensor(string, Span{byte})"/>.</exception>
    public void ReadTensor(string name, Stream destination) => destination.Write(ReadValue(Group(name)));

    /// <summary>
    /// The value of a group as an array of <typeparamref name="T"/>, which must be the group's element type:
    /// <see cref="float"/> for F32, <see cref="double"/> for F64, <see cref="Half"/> for F16, <see cref="ushort"/> for
    /// F16/BF16 bits, <see cref="long"/>/<see cref="int"/>/<see cref="short"/>/<see cref="sbyte"/> for I64/I32/I16/I8,
    /// the unsigned types for U64/U32/U16/U8, <see cref="bool"/> for BOOL, <see cref="byte"/> for any one-byte dtype.
    /// </summary>
    /// <exception cref="ThetaException">GT2010 when <typeparamref name="T"/> is not the group's element type, or the group is unknown.</exception>
    public T[] ReadTensor<T>(string name)
        where T : unmanaged
    {
        var group = Group(name);
        var dtype = DTypes.Parse(group.DType, name);
        if (!Holds<T>(dtype))
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"{Where}: parameter group '{name}' is {group.DType}, which cannot be read as {typeof(T).Name}; read it as bytes, or as the type its dtype names.");
        }

        var bytes = ReadValue(group);
        var values = new T[bytes.Length / Marshal.SizeOf<T>()];
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Writes the whole checkpoint, byte for byte as it was when it was committed (or staged), to a stream.</summary>
    /// <exception cref="ThetaException">GT2007 when an object is missing and cannot be fetched; GT2008 when one is damaged.</exception>
    public void WriteTo(Stream destination) => repository.Materializer.WriteTo(Metadata, Path, destination);

    /// <summary>
    /// Writes the whole checkpoint to a file, byte for byte as it was when it was committed (or staged). The file is
    /// written beside its destination and renamed over it, so no reader ever sees half a checkpoint.
    /// </summary>
    /// <exception cref="ThetaException">As <see cref="WriteTo"/>.</exception>
    public void MaterializeTo(string destination) => repository.Materializer.Write(Metadata, Path, destination);

    /// <summary>
    /// How this version differs from the same checkpoint at <paramref name="otherRevision"/>, taken as the older side:
    /// a group only this version has is <see cref="ThetaChangeKind.Added"/>. No value is read.
    /// </summary>
    /// <param name="otherRevision">A revision, or <see cref="ThetaRepository.Index"/>.</param>
    /// <exception cref="ThetaException">GT2020 when the revision is unknown; GT2021 when the file there is not a tracked checkpoint. A revision without the file compares as empty (every group added).</exception>
    public ThetaDiff Diff(string otherRevision)
    {
        var location = otherRevision == ThetaRepository.Index ? new RevisionPath(null, 0, Path) : new RevisionPath(otherRevision, 0, Path);
        ThetaMetadata? other;
        if (!location.IsIndex && repository.Git.ResolveCommit(otherRevision) is { } commit && repository.Git.FindBlob(commit, Path) is null)
        {
            other = null;
        }
        else
        {
            other = repository.ReadVersion(location).Metadata;
        }

        return new ThetaDiff(Path, otherRevision, Revision, MetadataDiff.Compare(other, Metadata));
    }

    private string Where => Revision == ThetaRepository.Index ? $"'{Path}' in the index" : $"'{Path}' at {Revision}";

    private byte[] ReadValue(ThetaGroup group)
    {
        if (group.ValueByteLength > Array.MaxLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"{Where}: parameter group '{group.Name}' is {group.ValueByteLength} bytes, more than one array can hold; materialize the checkpoint and read the group from the file.");
        }

        using var values = new StoredGroupValues(repository.Engine, Path, Revision == ThetaRepository.Index ? null : Revision);
        var wanted = new[] { (group.Name, group.Entry) };
        values.Prepare(wanted);
        return values.Read(group.Name, group.Entry);
    }

    private string Nearby(string name)
    {
        var similar = groups.Keys.Where(g => g.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(g, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(3).ToList();
        var shown = similar.Count > 0 ? similar : groups.Keys.Order(StringComparer.Ordinal).Take(3).ToList();
        return shown.Count == 0 ? string.Empty : $", for example {string.Join(", ", shown.Select(s => $"'{s}'"))}";
    }

    private static bool Holds<T>(DType dtype)
        where T : unmanaged =>
        default(T) switch
        {
            float => dtype == DType.F32,
            double => dtype == DType.F64,
            Half => dtype == DType.F16,
            ushort => dtype is DType.U16 or DType.F16 or DType.BF16,
            long => dtype == DType.I64,
            int => dtype == DType.I32,
            short => dtype == DType.I16,
            sbyte => dtype == DType.I8,
            ulong => dtype == DType.U64,
            uint => dtype == DType.U32,
            bool => dtype == DType.BOOL,
            byte => DTypes.SizeOf(dtype) == 1,
            _ => false,
        };
}
