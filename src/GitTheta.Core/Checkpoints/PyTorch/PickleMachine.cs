using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// A pickle virtual machine that builds plain values (numbers, strings, bytes, lists, tuples, dicts,
/// sets) and leaves everything else to <see cref="IPickleRules"/>. Opcodes that create arbitrary
/// objects (INST, OBJ, NEWOBJ, extensions, out-of-band buffers) are refused outright. Nothing is
/// imported or called: a global is only a name the rules recognise or refuse. Work and memory are
/// linear in the pickle's length: every opcode pushes at most one value, lengths are checked
/// against the bytes left before anything is allocated, and integers are at most
/// <see cref="MaxIntegerBytes"/> long, so no later step (naming a group by its key) is quadratic.
/// </summary>
internal sealed class PickleMachine
{
    private const int HighestProtocol = 5;
    private const int MaxLineLength = 512;

    /// <summary>
    /// The longest integer (LONG4) read. Turning an integer into text (a dict key names its group) costs time
    /// quadratic in its length: 25 s for a 300 KB key. No state dict needs more than a few bytes; LONG1 (up to 255
    /// bytes) and the text forms (up to <see cref="MaxLineLength"/> digits) are below this already.
    /// </summary>
    public const int MaxIntegerBytes = 1024;

    private readonly byte[] pickle;
    private readonly IPickleRules rules;
    private readonly string where;
    private readonly List<object?> stack = new();
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private int position;

    private PickleMachine(byte[] pickle, IPickleRules rules, string where)
    {
        this.pickle = pickle;
        this.rules = rules;
        this.where = where;
    }

    /// <param name="where">Names the pickle in messages ("model.pt: data.pkl").</param>
    public static object? Run(byte[] pickle, IPickleRules rules, string where) => new PickleMachine(pickle, rules, where).Run();

    private object? Run()
    {
        while (position < pickle.Length)
        {
            var at = position;
            var opcode = pickle[position++];
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > HighestProtocol)
                    {
                        throw Fail($"uses pickle protocol {protocol}; the highest git-theta reads is {HighestProtocol}");
                    }

                    break;
                case 0x95: // FRAME: a length hint only
                    Take(8);
                    break;
                case (byte)'(': // MARK
                    marks.Push(stack.Count);
                    break;
                case (byte)'.': // STOP
                    var result = Pop();
                    if (marks.Count != 0)
                    {
                        throw Fail("stops with an unclosed MARK");
                    }

                    return result;
                case (byte)'0': // POP
                    if (marks.Count > 0 && stack.Count == marks.Peek())
                    {
                        marks.Pop();
                    }
                    else
                    {
                        Pop();
                    }

                    break;
                case (byte)'1': // POP_MARK
                    PopToMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    var longLength = ReadLength(4);
                    if (longLength > MaxIntegerBytes)
                    {
                        throw Fail($"holds a {longLength}-byte integer at byte {at}; git-theta reads integers of at most {MaxIntegerBytes} bytes. Save only tensors and small numbers, e.g. torch.save(model.state_dict(), path)");
                    }

                    Push(ReadLong(longLength));
                    break;
                case (byte)'I': // INT (text); "01"/"00" are True/False
                    var intLine = ReadLine();
                    Push(intLine switch
                    {
                        "01" => true,
                        "00" => false,
                        _ => long.TryParse(intLine, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : throw Fail($"has an invalid INT at byte {at}"),
                    });
                    break;
                case (byte)'L': // LONG (text)
                    var longLine = ReadLine().TrimEnd('L');
                    Push(BigInteger.TryParse(longLine, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ? Narrow(big) : throw Fail($"has an invalid LONG at byte {at}"));
                    break;
                case (byte)'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'F': // FLOAT (text)
                    Push(double.TryParse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw Fail($"has an invalid FLOAT at byte {at}"));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(Utf8(Take(ReadLength(4))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Utf8(Take(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(Utf8(Take(ReadLength(8))));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str)
                    Push(Encoding.Latin1.GetString(Take(ReadLength(4))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(Take(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(Take(ReadLength(4)).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(Take(ReadByte()).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Take(ReadLength(8)).ToArray());
                    break;
                case (byte)']': // EMPTY_LIST
                case 0x8f: // EMPTY_SET
                    Push(new PickleList());
                    break;
                case (byte)'l': // LIST
                case 0x91: // FROZENSET
                    var list = new PickleList();
                    list.Items.AddRange(PopToMark());
                    Push(list);
                    break;
                case (byte)'a': // APPEND
                    var appended = Pop();
                    Expect<PickleList>(Peek(), "APPEND").Items.Add(appended);
                    break;
                case (byte)'e': // APPENDS
                case 0x90: // ADDITEMS
                    var items = PopToMark();
                    Expect<PickleList>(Peek(), "APPENDS").Items.AddRange(items);
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(new PickleTuple(Array.Empty<object?>()));
                    break;
                case (byte)'t': // TUPLE
                    Push(new PickleTuple(PopToMark()));
                    break;
                case 0x85: // TUPLE1
                case 0x86: // TUPLE2
                case 0x87: // TUPLE3
                    var n = opcode - 0x84;
                    var tuple = new object?[n];
                    for (var i = n - 1; i >= 0; i--)
                    {
                        tuple[i] = Pop();
                    }

                    Push(new PickleTuple(tuple));
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDict());
                    break;
                case (byte)'d': // DICT
                    var dict = new PickleDict();
                    AddPairs(dict, PopToMark());
                    Push(dict);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    Expect<PickleDict>(Peek(), "SETITEM").Items.Add(new(key, value));
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopToMark();
                    AddPairs(Expect<PickleDict>(Peek(), "SETITEMS"), pairs);
                    break;
                case (byte)'c': // GLOBAL
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(rules.ResolveGlobal(module, name));
                    break;
                case 0x93: // STACK_GLOBAL
                    var globalName = Pop() as string ?? throw Fail($"has a STACK_GLOBAL without a string name at byte {at}");
                    var globalModule = Pop() as string ?? throw Fail($"has a STACK_GLOBAL without a string module at byte {at}");
                    Push(rules.ResolveGlobal(globalModule, globalName));
                    break;
                case (byte)'R': // REDUCE
                    var arguments = Pop() as PickleTuple ?? throw Fail($"calls something with arguments that are not a tuple at byte {at}");
                    var callable = Pop();
                    Push(rules.Call(callable, arguments));
                    break;
                case (byte)'b': // BUILD
                    var state = Pop();
                    rules.Build(Peek(), state);
                    break;
                case (byte)'Q': // BINPERSID
                    Push(rules.PersistentLoad(Pop()));
                    break;
                case (byte)'h': // BINGET
                    Push(Get(ReadByte(), at));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at));
                    break;
                case (byte)'g': // GET
                    Push(Get(ReadMemoIndex(), at));
                    break;
                case (byte)'q': // BINPUT
                    memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case (byte)'p': // PUT
                    memo[ReadMemoIndex()] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    memo[memo.Count] = Peek();
                    break;
                case (byte)'i': // INST
                case (byte)'o': // OBJ
                case 0x81: // NEWOBJ
                case 0x92: // NEWOBJ_EX
                    throw Fail($"creates an object of an arbitrary class (opcode 0x{opcode:x2} at byte {at}), which a state dict never needs; git-theta refuses it (nothing was executed)");
                case 0x82: // EXT1
                case 0x83: // EXT2
                case 0x84: // EXT4
                    throw Fail($"refers to a global through the copyreg extension registry (opcode 0x{opcode:x2} at byte {at}); git-theta refuses it (nothing was executed)");
                default:
                    throw Fail($"uses pickle opcode 0x{opcode:x2} at byte {at}, which git-theta does not read (torch.save never writes it)");
            }
        }

        throw Fail("ends without a STOP opcode; the pickle is truncated");
    }

    private void AddPairs(PickleDict dict, object?[] flat)
    {
        if (flat.Length % 2 != 0)
        {
            throw Fail("has a dict with an odd number of keys and values");
        }

        for (var i = 0; i < flat.Length; i += 2)
        {
            dict.Items.Add(new(flat[i], flat[i + 1]));
        }
    }

    private T Expect<T>(object? value, string opcode)
        where T : class =>
        value as T ?? throw Fail($"applies {opcode} to a {Describe(value)}, which git-theta does not allow");

    private object? Get(long index, int at) =>
        memo.TryGetValue(index, out var value) ? value : throw Fail($"reads memo entry {index} before it was stored (byte {at})");

    private long ReadMemoIndex() =>
        long.TryParse(ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw Fail("has an invalid memo index");

    private void Push(object? value) => stack.Add(value);

    private object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && stack.Count == marks.Peek()))
        {
            throw Fail("reads from an empty stack; the pickle is malformed");
        }

        return stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object?[] PopToMark()
    {
        if (marks.Count == 0)
        {
            throw Fail("closes a MARK that was never opened; the pickle is malformed");
        }

        var mark = marks.Pop();
        var items = stack.GetRange(mark, stack.Count - mark).ToArray();
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private int ReadLength(int size)
    {
        var bytes = Take(size);
        var length = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return length <= (ulong)(pickle.Length - position) ? (int)length : throw Fail($"claims a {length}-byte value but only {pickle.Length - position} bytes remain");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > pickle.Length - position)
        {
            throw Fail("ends in the middle of an opcode; the pickle is truncated");
        }

        var span = pickle.AsSpan(position, count);
        position += count;
        return span;
    }

    private string ReadLine()
    {
        var rest = pickle.AsSpan(position, Math.Min(MaxLineLength, pickle.Length - position));
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            throw Fail("has a text argument without its line end");
        }

        position += end + 1;
        return Encoding.ASCII.GetString(rest[..end]);
    }

    private object ReadLong(int length) => Narrow(new BigInteger(Take(length), isUnsigned: false, isBigEndian: false));

    private static object Narrow(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (long)value : value;

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail("holds a string that is not valid UTF-8");
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => g.ToString(),
        _ => value.GetType().Name,
    };

    private ThetaException Fail(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{where} {what}.");
}
