using System.IO.Hashing;

namespace GitTheta.Core.Hashing;

/// <summary>
/// A fast fingerprint (XXH3-64) of a group's exact bytes, kept in the metadata next to the LSH signature:
/// re-adding a file whose group bytes did not change is decided at memory speed, without hashing
/// 16 projections of every element. Any difference falls through to the LSH rule.
/// </summary>
internal static class ContentHash
{
    public static string Of(ReadOnlySpan<byte> value) => Format(XxHash3.HashToUInt64(value));

    /// <summary>The text of a fingerprint computed piece by piece (<see cref="XxHash3.GetCurrentHashAsUInt64"/>): the same as <see cref="Of"/> of the whole.</summary>
    public static string Format(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsValid(string? text) =>
        text is { Length: 16 } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
