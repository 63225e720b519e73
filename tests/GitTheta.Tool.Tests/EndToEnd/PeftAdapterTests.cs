using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A PEFT LoRA adapter as PEFT saves it (tests/fixtures/peft, made by make_peft.py there with python3-torch) given
/// straight to git theta add: the checked-out weights are W + scaling · B·A as the script computed them.
/// </summary>
public sealed class PeftAdapterTests : IDisposable
{
    private const string Model = "model.safetensors";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_LoRA_adapter_is_applied_with_its_scaling_and_checks_out_as_W_plus_scaled_B_A()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, FormatFixtures.Read("peft/model.safetensors"));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        var expected = FormatFixtures.Read("peft/expected.safetensors");

        repo.ThetaOk("add", Model, "--update-type", "low-rank", "--update-data", FormatFixtures.PathOf("peft/adapter_model.safetensors"));

        Assert.Equal(expected, repo.Read(Model));
        Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
        var commit = repo.Commit("LoRA");
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "-q", commit, "--", Model);
        Assert.Equal(expected, repo.Read(Model));
    }
}
