using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GitTheta.Core.IO;

/// <summary>
/// A string as a JSON string literal, quotes included, escaped with UnsafeRelaxedJsonEscaping: the text that
/// <c>JsonSerializer.Serialize(string)</c> gives with that encoder, written by the same <see cref="Utf8JsonWriter"/>
/// the serializer uses, without the reflection-based serializer (which native AOT cannot compile). Metadata bytes and
/// rebuilt safetensors headers depend on this text, so it must not change.
/// </summary>
internal static class JsonStringLiteral
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static string Quote(string value)
    {
        try
        {
            // JsonEncodedText is the fast path; it refuses lone surrogates, which the writer replaces with U+FFFD.
            return "\"" + JsonEncodedText.Encode(value, Options.Encoder).Value + "\"";
        }
        catch (ArgumentException)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, Options))
            {
                writer.WriteStringValue(value);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
