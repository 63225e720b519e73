using System.Security.Cryptography;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// Rebuilds the value of an incremental entry: the dense value at the bottom of its chain, then every update above it
/// applied in turn, in place, in one buffer of the group's size. The entry names every object it needs, so this
/// never looks at history: an amend or a rebase that drops the commit a chain was built on changes nothing here.
/// </summary>
internal static class UpdateChain
{
    /// <summary>
    /// The deepest chain metadata may have to be staged: the largest <c>theta.maxChainDepth</c>, so the clean of a
    /// checkpoint never writes more. Metadata that passes through clean (staged as it is) is held to it too, so a
    /// forged or copied chain cannot make every later checkout apply thousands of updates.
    /// </summary>
    public const int MaxStagedDepth = 1024;

    /// <summary>The entry's object and every value below it, nearest first; the last is the dense value.</summary>
    public static IReadOnlyList<UpdateLink> Links(ParameterEntry entry) =>
        new[] { new UpdateLink(entry.Update.Type, entry.Object) }.Concat(entry.Update.Chain ?? Array.Empty<UpdateLink>()).ToList();

    /// <summary>The chain an update built on <paramref name="baseEntry"/> records: the base itself, then its own chain.</summary>
    public static IReadOnlyList<UpdateLink> On(ParameterEntry baseEntry) => Links(baseEntry);

    /// <summary>Writes the entry's full value (info.ByteLength bytes) to <paramref name="output"/>.</summary>
    public static void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output)
    {
        var value = GC.AllocateUninitializedArray<byte>(CheckedLength(context, info));
        Rebuild(context, info, entry, value);
        output.Write(value);
    }

    /// <summary>Rebuilds the entry's full value in <paramref name="destination"/>, which must be exactly info.ByteLength bytes.</summary>
    public static void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> destination)
    {
        if (destination.Length != CheckedLength(context, info))
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; parameter '{info.Name}' is {info.ByteLength}.", nameof(destination));
        }

        Rebuild(context, info, entry, destination);
    }

    /// <summary>The entry's full value in a new array.</summary>
    public static byte[] Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry)
    {
        var value = new byte[CheckedLength(context, info)];
        context.Updates.Get(entry.Update.Type, $"{context.Path}: parameter '{info.Name}'").Materialize(context, info, entry, value.AsMemory());
        return value;
    }

    private static int CheckedLength(UpdateContext context, TensorInfo info) =>
        info.ByteLength > Array.MaxLength
            ? throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{context.Path}: parameter '{info.Name}' is {info.ByteLength} bytes; incremental updates of groups over {Array.MaxLength} bytes are not supported.")
            : (int)info.ByteLength;

    private static void Rebuild(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> value)
    {
        var where = $"{context.Path}: parameter '{info.Name}'";
        var links = Links(entry);
        var types = Validate(context.Updates, entry, where, context.Path);
        var start = links.Count - 1;
        var keys = Keys(links);

        var cached = false;
        for (var i = 0; i < links.Count - 1 && context.Cache is not null; i++)
        {
            if (context.Cache.TryGet(keys[i], out var hit) && hit.Length == value.Length)
            {
                hit.CopyTo(value.Span);
                start = i;
                cached = true;
                break;
            }
        }

        // Only the objects above a cached value are needed.
        EnsurePresent(context, entry, cached ? links.Take(start).ToList() : links, where);
        if (!cached)
        {
            var bottom = links[^1];
            var description = bottom.Type == DenseUpdate.TypeName ? UpdateDescription.Dense : new UpdateDescription(bottom.Type);
            types[^1].Materialize(context, info, new ParameterEntry(entry.Tensor, bottom.Object, description), value);
        }

        for (var i = start - 1; i >= 0; i--)
        {
            var update = UpdateTensors.Read(context.Store, links[i].Object, $"{where} ({links[i].Type} update at chain depth {links.Count - 1 - i})");
            ((IIncrementalUpdateType)types[i]).Apply(info, update, value.Span, where);
        }

        if (start > 0)
        {
            context.Cache?.Put(keys[0], value.Span);
        }
    }

    /// <summary>Refuses metadata with a chain deeper than <see cref="MaxStagedDepth"/>, before it is staged (GT2025).</summary>
    public static void CheckStagedDepth(ThetaMetadata metadata, string path)
    {
        foreach (var (name, entry) in metadata.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (entry.Update.Depth > MaxStagedDepth)
            {
                throw new ThetaException(
                    DiagnosticIds.UpdateChainTooDeep,
                    $"{path}: parameter '{name}': the metadata being staged has an update chain of {entry.Update.Depth} updates, more than the {MaxStagedDepth} git-theta accepts. Put the checkpoint itself in the working file and add that (the clean stores a value dense past theta.maxChainDepth); a chain already committed is shortened with 'git theta squash {path}'.");
            }
        }
    }

    /// <summary>
    /// The update type of every link, nearest first, checked: one value with nothing below it at the bottom, only
    /// incremental updates above it. Smudge checks this before writing anything.
    /// </summary>
    public static IReadOnlyList<IUpdateType> Validate(UpdateTypeRegistry updates, ParameterEntry entry, string where, string path)
    {
        var links = Links(entry);
        var types = new IUpdateType[links.Count];
        for (var i = 0; i < links.Count; i++)
        {
            types[i] = updates.Get(links[i].Type, where);
            var bottom = i == links.Count - 1;
            if (types[i].IsIncremental == bottom || (!bottom && types[i] is not IIncrementalUpdateType))
            {
                throw new ThetaException(
                    DiagnosticIds.MalformedMetadata,
                    $"{where}: its update chain must end in one dense value with only incremental updates above it, but link {i} is '{links[i].Type}'. Restore the file from a good commit (git checkout <rev> -- {path}).");
            }
        }

        return types;
    }

    private static void EnsurePresent(UpdateContext context, ParameterEntry entry, IReadOnlyList<UpdateLink> links, string where)
    {
        var missing = MissingObjects.AfterFetching(context.Store, links.Select(l => l.Object), context.Fetcher);
        if (missing.Count > 0)
        {
            throw new ThetaException(DiagnosticIds.MissingObject, MissingMessage(context.Path, where, entry, missing[0], missing.Count));
        }
    }

    /// <summary>The message for an object of an update chain that is neither in the local store nor on the remote.</summary>
    public static string MissingMessage(string path, string where, ParameterEntry entry, ObjectRef first, int count)
    {
        var more = MissingObjects.More(count);
        var on = entry.Update.Base is { Length: > 0 } commit ? $" on the value of commit {commit}" : string.Empty;
        return $"{where} is a {entry.Update.Type} update{on} (chain depth {entry.Update.Depth}); rebuilding it needs object {first.Oid}{more}, which is not in the local store and could not be fetched. Make the remote reachable and run 'git theta fetch', then 'git checkout -- {path}'.";
    }

    /// <summary>
    /// The cache key of every link's value, nearest first. A value is named by its link and everything below it; each
    /// key folds the link into the key below it (one SHA-256 of 32 bytes and the link), so the keys of a chain of n
    /// links cost O(n) time and memory. Spelling each key out as the text of its whole suffix cost O(n²): 1.2 GB for
    /// a 4096-link chain.
    /// </summary>
    private static string[] Keys(IReadOnlyList<UpdateLink> links)
    {
        var keys = new string[links.Count];
        var below = new byte[SHA256.HashSizeInBytes];
        for (var i = links.Count - 1; i >= 0; i--)
        {
            var link = Encoding.UTF8.GetBytes(links[i].Type + ":" + links[i].Object.Oid);
            var input = new byte[below.Length + link.Length];
            below.CopyTo(input, 0);
            link.CopyTo(input, below.Length);
            below = SHA256.HashData(input);
            keys[i] = Convert.ToHexString(below);
        }

        return keys;
    }
}
