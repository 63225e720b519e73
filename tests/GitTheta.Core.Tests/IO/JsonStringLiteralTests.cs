using System.Text.Encodings.Web;
using System.Text.Json;
using GitTheta.Core.IO;

namespace GitTheta.Core.Tests.IO;

/// <summary>
/// Metadata bytes and rebuilt safetensors headers were written with JsonSerializer; the AOT-safe writer must give the
/// same text for every name, or the same checkpoint would clean to a different blob than before.
/// </summary>
public sealed class JsonStringLiteralTests
{
    private static readonly JsonSerializerOptions Serializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Names() => new()
    {
        "",
        "encoder.layer.0.attention.query.weight",
        "quote\" backslash\\ slash/",
        "control\u0001\u001f tab\t newline\n return\r",
        "html <script>&'",
        "non-ASCII: gewichte_\u00e4\u00f6\u00fc \u4e2d\u6587 \U0001F600",
        "lone high \ud800 surrogate",
        "lone low \udc00 surrogate",
        "reversed pair \udc00\ud800",
        "\u2028 line and paragraph \u2029 separators, \u007f delete, \u00ad soft hyphen",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Gives_the_text_JsonSerializer_gave(string name)
    {
        Assert.Equal(JsonSerializer.Serialize(name, Serializer), JsonStringLiteral.Quote(name));
    }

    [Fact]
    public void Escapes_a_lone_surrogate_as_the_replacement_character_instead_of_failing()
    {
        Assert.Equal("\"a\\uFFFDb\"", JsonStringLiteral.Quote("a\ud800b"));
    }
}
