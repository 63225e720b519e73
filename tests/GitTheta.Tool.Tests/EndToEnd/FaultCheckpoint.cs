using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Large safetensors files for the fault tests, written straight to disk group by group: U8 groups of seeded random
/// bytes (compared exactly, so every group of another seed is a new object), big enough that a clean or a smudge
/// takes long enough to be interrupted at a chosen point.
/// </summary>
internal static class FaultCheckpoint
{
    /// <summary>Writes <paramref name="groups"/> groups of <paramref name="groupBytes"/> bytes; the first
    /// <paramref name="sharedGroups"/> get bytes of <paramref name="sharedSeed"/> whatever the seed (objects shared by
    /// every file written with that shared seed).</summary>
    public static void Write(string path, int groups, int groupBytes, int seed, int sharedGroups = 0, int sharedSeed = 0)
    {
        var header = new StringBuilder("{");
        for (var g = 0; g < groups; g++)
        {
            header.Append(g == 0 ? string.Empty : ",");
            header.Append($"\"g{g:D4}\":{{\"dtype\":\"U8\",\"shape\":[{groupBytes}],\"data_offsets\":[{(long)g * groupBytes},{(long)(g + 1) * groupBytes}]}}");
        }

        header.Append('}');
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        var json = Encoding.UTF8.GetBytes(header.ToString());
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        var buffer = new byte[groupBytes];
        for (var g = 0; g < groups; g++)
        {
            new Random(g < sharedGroups ? -1 - g - (sharedSeed * 100_003) : (seed * 100_003) + g).NextBytes(buffer);
            file.Write(buffer);
        }
    }
}
