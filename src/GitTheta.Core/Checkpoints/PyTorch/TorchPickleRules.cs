using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// What a state dict's pickle may contain, and nothing more: <c>collections.OrderedDict</c>,
/// <c>torch._utils._rebuild_tensor_v2</c>, <c>torch._utils._rebuild_parameter</c>, the
/// <c>torch.*Storage</c> classes (only inside a storage persistent id), the <c>torch</c> dtypes, and
/// plain values. Any other global is refused by name; nothing is imported or executed.
/// </summary>
internal sealed class TorchPickleRules : IPickleRules
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensor = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");

    private static readonly HashSet<string> DTypeNames = new(StringComparer.Ordinal)
    {
        "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
        "double", "float", "half", "long", "int", "short", "float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64",
    };

    private readonly string where;
    private readonly Dictionary<string, TorchStorageRef> storages = new(StringComparer.Ordinal);

    /// <param name="where">Names the pickle in messages ("model.pt: data.pkl").</param>
    public TorchPickleRules(string where)
    {
        this.where = where;
    }

    /// <summary>Every storage the pickle referred to, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorageRef> Storages => storages;

    public object ResolveGlobal(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (global == OrderedDict || global == RebuildTensor || global == RebuildParameter)
        {
            return global;
        }

        if (module == "torch" && (name.EndsWith("Storage", StringComparison.Ordinal) || DTypeNames.Contains(name)))
        {
            return global;
        }

        if (TorchScriptArchive.IsModule(module))
        {
            throw TorchScriptArchive.ModuleNotSupported(where, global.ToString());
        }

        throw Fail($"references the global '{global}', which a state dict never needs; git-theta refuses to load it (nothing was executed). Save only tensors and plain values (torch.save(model.state_dict(), path))");
    }

    public object? Call(object? callable, PickleTuple arguments)
    {
        if (OrderedDict.Equals(callable))
        {
            return NewOrderedDict(arguments);
        }

        if (RebuildTensor.Equals(callable))
        {
            return RebuildTensorView(arguments);
        }

        if (RebuildParameter.Equals(callable))
        {
            // (data, requires_grad, backward_hooks): a Parameter is its data tensor as far as storage goes.
            if (arguments.Items.Count != 3 || arguments.Items[0] is not TorchTensorView data || arguments.Items[1] is not bool || !IsEmptyHooks(arguments.Items[2]))
            {
                throw Fail("calls torch._utils._rebuild_parameter with arguments other than (tensor, requires_grad, no hooks)");
            }

            return data;
        }

        throw Fail($"calls {Describe(callable)}, which git-theta does not allow (only OrderedDict and the torch tensor rebuild functions); nothing was executed");
    }

    public object PersistentLoad(object? id)
    {
        if (id is not PickleTuple { Items.Count: 5 } tuple || tuple.Items[0] is not "storage")
        {
            throw Fail("has a persistent id that is not a ('storage', type, key, location, size) tuple");
        }

        if (tuple.Items[1] is not PickleGlobal { Module: "torch" } type || !type.Name.EndsWith("Storage", StringComparison.Ordinal))
        {
            throw Fail($"has a storage of type {Describe(tuple.Items[1])}, not a torch storage class");
        }

        if (!TorchStorageTypes.TryGet(type.Name, out var dtype))
        {
            throw new ThetaException(
                DiagnosticIds.UnsupportedDType,
                TorchStorageTypes.IsKnownUnsupported(type.Name)
                    ? $"{where} holds a torch.{type.Name}, whose element type git-theta does not support (complex and quantized tensors are not); convert those tensors or store the file with plain git-lfs."
                    : $"{where} holds a storage of unknown type torch.{type.Name}; git-theta supports float64/32/16, bfloat16, float8, int64/32/16/8, uint8/16/32/64 and bool.");
        }

        if (tuple.Items[2] is not string key || key.Length == 0 || tuple.Items[3] is not string || tuple.Items[4] is not long count || count < 0)
        {
            throw Fail("has a storage persistent id with an invalid key, location or size");
        }

        var storage = new TorchStorageRef(key, dtype, type.Name, count);
        try
        {
            _ = storage.ByteLength;
        }
        catch (OverflowException)
        {
            throw Fail($"has storage '{key}' with {count} elements, too many to address");
        }

        if (storages.TryGetValue(key, out var known))
        {
            if (known != storage)
            {
                throw Fail($"refers to storage '{key}' as both {known.StorageType}[{known.ElementCount}] and {storage.StorageType}[{storage.ElementCount}]");
            }

            return known;
        }

        storages.Add(key, storage);
        return storage;
    }

    public void Build(object? target, object? state)
    {
        // OrderedDict.__reduce__ sets instance attributes (a state dict's _metadata) this way; nothing else may.
        if (target is PickleDict dict && state is PickleDict)
        {
            dict.State = state;
            return;
        }

        throw Fail($"sets state on a {Describe(target)} (BUILD), which git-theta does not allow");
    }

    private PickleDict NewOrderedDict(PickleTuple arguments)
    {
        var dict = new PickleDict();
        if (arguments.Items.Count == 0)
        {
            return dict;
        }

        if (arguments.Items.Count == 1 && arguments.Items[0] is PickleList items)
        {
            foreach (var item in items.Items)
            {
                var pair = item switch
                {
                    PickleTuple { Items.Count: 2 } t => t.Items,
                    PickleList { Items.Count: 2 } l => l.Items,
                    _ => throw Fail("builds an OrderedDict from something other than key-value pairs"),
                };
                dict.Items.Add(new(pair[0], pair[1]));
            }

            return dict;
        }

        throw Fail("builds an OrderedDict from arguments git-theta does not read");
    }

    private TorchTensorView RebuildTensorView(PickleTuple arguments)
    {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        var a = arguments.Items;
        if (a.Count is < 6 or > 7 || a[0] is not TorchStorageRef storage || a[1] is not long offset || offset < 0
            || a[2] is not PickleTuple size || a[3] is not PickleTuple stride || a[4] is not bool || !IsEmptyHooks(a[5]))
        {
            throw Fail("calls torch._utils._rebuild_tensor_v2 with arguments other than (storage, offset, size, stride, requires_grad, no hooks)");
        }

        if (a.Count == 7 && a[6] is not (null or PickleDict { Items.Count: 0 }))
        {
            throw Fail("rebuilds a tensor with Python-level metadata, which git-theta does not read");
        }

        var sizes = Longs(size, "size");
        var strides = Longs(stride, "stride");
        if (sizes.Length != strides.Length)
        {
            throw Fail($"rebuilds a tensor of storage '{storage.Key}' whose size and stride differ in length");
        }

        var view = new TorchTensorView(storage, offset, sizes, strides);
        try
        {
            if (view.ElementCount > 0)
            {
                var last = offset;
                for (var i = 0; i < sizes.Length; i++)
                {
                    last = checked(last + ((sizes[i] - 1) * strides[i]));
                }

                if (last >= storage.ElementCount)
                {
                    throw Fail($"rebuilds a tensor that reaches element {last} of storage '{storage.Key}', which has {storage.ElementCount}");
                }
            }
        }
        catch (OverflowException)
        {
            throw Fail($"rebuilds a tensor of storage '{storage.Key}' with a size or stride too large to address");
        }

        return view;
    }

    private long[] Longs(PickleTuple tuple, string what)
    {
        var values = new long[tuple.Items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = tuple.Items[i] is long v && v >= 0 ? v : throw Fail($"rebuilds a tensor with an invalid {what}");
        }

        return values;
    }

    private static bool IsEmptyHooks(object? hooks) => hooks is null || hooks is PickleDict { Items.Count: 0 };

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => $"'{g}'",
        PickleDict => "dict",
        PickleList => "list",
        PickleTuple => "tuple",
        TorchTensorView => "tensor",
        TorchStorageRef => "storage",
        string => "string",
        _ => value.GetType().Name,
    };

    private ThetaException Fail(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{where} {what}.");
}
