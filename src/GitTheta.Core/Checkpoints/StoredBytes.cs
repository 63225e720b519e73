using System.Text.RegularExpressions;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints;

/// <summary>
/// Parses bytes read back from the object store (a stored object's header, a checkpoint's container). They were
/// valid when the clean wrote them and they hash to their oid, so a parse failure means the stored object is damaged
/// or is not the one the metadata should name: GT2008 with advice to verify and fetch it again, never the advice
/// for a bad checkpoint file ("re-save the checkpoint"), which the user cannot act on.
/// </summary>
internal static partial class StoredBytes
{
    /// <param name="where">The file (and group) the bytes belong to; the parser's messages start with it.</param>
    /// <param name="noun">What the bytes are, for the message: "the stored object", "the stored checkpoint container".</param>
    public static T Parse<T>(string where, string noun, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.InvalidCheckpoint or DiagnosticIds.TruncatedCheckpoint)
        {
            throw new ThetaException(
                DiagnosticIds.CorruptObject,
                $"{where}: {noun} is damaged ({Detail(e.Message, where)}); run 'git theta verify', delete the object it names and run 'git theta fetch'.",
                e);
        }
    }

    /// <summary>The failure without the file name it starts with and the advice sentence it ends with.</summary>
    private static string Detail(string message, string what)
    {
        var detail = message.StartsWith(what + ": ", StringComparison.Ordinal) ? message[(what.Length + 2)..] : message;
        var advice = SentenceBreak().Match(detail);
        return (advice.Success ? detail[..advice.Index] : detail).TrimEnd('.', ';', ' ');
    }

    [GeneratedRegex(@"\.\s+[A-Z]|;\s", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();
}
