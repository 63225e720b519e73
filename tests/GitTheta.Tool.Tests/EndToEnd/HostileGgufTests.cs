namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>The gguf cases of the hostile corpus (tests/fixtures/hostile/manifest.json).</summary>
public sealed class HostileGgufTests : HostileInputTests
{
    public static TheoryData<string, string> Cases() => HostileCorpus.Rows("gguf");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_with_its_code_and_changes_nothing(string name, string operation) => Run(name, operation);
}
