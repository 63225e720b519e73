using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A repository whose checkpoint was committed by Python git-theta (its metadata: tests/fixtures/python-git-theta,
/// made by make_metadata.py there): checkout, status and verify each fail with GT2029 instead of leaving the JSON in
/// place of the checkpoint or passing with "0 objects checked".
/// </summary>
public sealed class PythonGitThetaRepositoryTests : IDisposable
{
    private const string Model = "model.pt";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Checkout_status_and_verify_name_the_Python_git_theta_metadata()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var reference = FormatFixtures.PathOf("python-git-theta/model.pt.json");
        var blob = repo.GitOk("hash-object", "-w", "--no-filters", reference).Trim();
        repo.GitOk("update-index", "--add", "--cacheinfo", $"100644,{blob},{Model}");
        repo.GitOk("add", ".gitattributes");
        repo.Commit("committed by Python git-theta");

        var verify = repo.Theta("verify");
        Assert.NotEqual(0, verify.ExitCode);
        Assert.Contains($"unreadable  {Model}  GT2029", verify.Output);
        Assert.Contains("GT2029", verify.Error);
        Assert.Contains("Python git-theta", verify.Error);

        var checkout = repo.Git("checkout", "--", Model);
        Assert.NotEqual(0, checkout.ExitCode);
        Assert.Contains("GT2029", checkout.Error);
        Assert.False(File.Exists(repo.Path(Model)) && File.ReadAllBytes(repo.Path(Model)).SequenceEqual(File.ReadAllBytes(reference)), "the reference's JSON was left in place of the checkpoint");

        // What a checkout without the filter (or by Python git-theta's own smudge failing) leaves behind.
        File.Copy(reference, repo.Path(Model), overwrite: true);
        var status = repo.Git("status", "--porcelain");
        Assert.Contains("GT2029", status.Error);
    }
}
