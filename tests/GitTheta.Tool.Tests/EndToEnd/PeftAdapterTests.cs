using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// PEFT adapters as PEFT saves them (tests/fixtures/peft, made by make_peft.py there with python3-torch) given
/// straight to git theta add: the checked-out weights are W + scaling · B·A (LoRA) or W · ia3_l (IA3), as the
/// script computed them.
/// </summary>
public sealed class PeftAdapterTests : IDisposable
{
    private const string Model = "model.safetensors";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Theory]
    [InlineData("low-rank", "peft/adapter_model.safetensors", "peft/expected.safetensors")]
    [InlineData("ia3", "peft/ia3/adapter_model.safetensors", "peft/expected_ia3.safetensors")]
    public void A_PEFT_adapter_checks_out_as_PEFT_merges_it(string type, string adapter, string expectedModel)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, FormatFixtures.Read("peft/model.safetensors"));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        var expected = FormatFixtures.Read(expectedModel);

        repo.ThetaOk("add", Model, "--update-type", type, "--update-data", FormatFixtures.PathOf(adapter));

        Assert.Equal(expected, repo.Read(Model));
        Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
        var commit = repo.Commit("adapter");
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "-q", commit, "--", Model);
        Assert.Equal(expected, repo.Read(Model));
    }
}
