using GitTheta.Tasks.Tests.Infrastructure;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks.Tests;

/// <summary>What the tasks report, in process against a real repository: the GT code, its help link, the project as location.</summary>
public sealed class TaskDiagnosticsTests : IDisposable
{
    private const string HelpLinks = "https://github.com/gittheta/gittheta-dotnet/blob/main/docs/diagnostics/";

    private readonly TempRepository repository = new();

    [Fact]
    public void A_missing_model_is_GT1001_with_its_help_link_at_the_project()
    {
        repository.Write("app/Program.cs", "// app");
        repository.CommitAll("app");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));

        var resolve = Resolve(engine, repository.Path("app/models/missing.safetensors"));

        Assert.False(resolve.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("GT1001", error.Code);
        Assert.Equal(HelpLinks + "GT1001.md", error.HelpLink);
        Assert.Equal(repository.Path("app/app.csproj"), error.File);
        Assert.Contains("ThetaModel 'models/missing.safetensors' does not exist", error.Message);
        Assert.Empty(resolve.ResolvedModels);
    }

    [Fact]
    public void A_revision_the_repository_does_not_have_is_GT1002()
    {
        repository.Write("app/models/model.safetensors", Safetensors.Create(2, 2));
        repository.CommitAll("model");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        var model = new TaskItem(repository.Path("app/models/model.safetensors"));
        model.SetMetadata("Revision", "no-such-tag");

        var resolve = Resolve(engine, model);

        Assert.False(resolve.Execute());
        Assert.Equal("GT1002", Assert.Single(engine.Errors).Code);
    }

    [Fact]
    public void An_untracked_model_is_GT1004_with_the_command_that_tracks_it()
    {
        repository.Write("app/models/model.safetensors", Safetensors.Create(2, 2));
        repository.CommitAll("model");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));

        var check = new CheckThetaModelTracking { BuildEngine = engine, Models = new ITaskItem[] { new TaskItem(repository.Path("app/models/model.safetensors")) }, ProjectDirectory = repository.Path("app") };

        Assert.True(check.Execute());
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal("GT1004", warning.Code);
        Assert.Equal(HelpLinks + "GT1004.md", warning.HelpLink);
        Assert.Contains("git theta track app/models/model.safetensors", warning.Message);
    }

    [Fact]
    public void A_model_outside_every_repository_is_GT1005_and_ships_as_it_is()
    {
        var project = Path.Combine(repository.Root, "loose");
        Directory.CreateDirectory(Path.Combine(project, "models"));
        File.WriteAllBytes(Path.Combine(project, "models", "model.safetensors"), Safetensors.Create(3, 2));
        var engine = new FakeBuildEngine(Path.Combine(project, "loose.csproj"));

        var resolve = new ResolveThetaModels { BuildEngine = engine, Models = new ITaskItem[] { new TaskItem(Path.Combine(project, "models", "model.safetensors")) }, ProjectDirectory = project, MaterializeDirectory = Path.Combine(project, "obj", "gittheta") };

        Assert.True(resolve.Execute());
        Assert.Equal("GT1005", Assert.Single(engine.Warnings).Code);
        var resolved = Assert.Single(resolve.ResolvedModels);
        Assert.Equal(ModelSource.NotInRepository, resolved.GetMetadata(ModelMetadata.Source));
        Assert.Equal("6", resolved.GetMetadata(ModelMetadata.ParameterCount));
    }

    [Fact]
    public void Two_models_with_one_member_name_are_GT1008()
    {
        repository.Write("app/a/model.safetensors", Safetensors.Create(2, 2));
        repository.Write("app/b/model.safetensors", Safetensors.Create(2, 2));
        repository.CommitAll("models");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));

        var resolve = Resolve(engine, repository.Path("app/a/model.safetensors"), repository.Path("app/b/model.safetensors"));

        Assert.False(resolve.Execute());
        Assert.All(engine.Errors, e => Assert.Equal("GT1008", e.Code));
        Assert.NotEmpty(engine.Errors);
    }

    [Fact]
    public void A_pointer_whose_object_cannot_be_had_is_GT1011_from_materialize()
    {
        // A git-lfs pointer to an object that is in no store, in a repository without a remote.
        const string oid = "1111111111111111111111111111111111111111111111111111111111111111";
        repository.Write("app/tokenizer.json", $"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12\n");
        repository.CommitAll("pointer");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        var resolve = Resolve(engine, repository.Path("app/tokenizer.json"));
        Assert.True(resolve.Execute());

        var materialize = new MaterializeThetaModels { BuildEngine = engine, Models = resolve.ResolvedModels.Select(m => (ITaskItem)new TaskItem(m.GetMetadata(ModelMetadata.MaterializedFile), m.CloneCustomMetadata())).ToArray() };

        Assert.False(materialize.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("GT1011", error.Code);
        Assert.Contains(oid, error.Message);
        Assert.False(File.Exists(resolve.ResolvedModels[0].GetMetadata(ModelMetadata.MaterializedFile)));
    }

    [Fact]
    public void Python_git_theta_metadata_in_place_of_the_model_is_GT1006_naming_GT2029_and_is_never_shipped()
    {
        var reference = File.ReadAllBytes(FixturePath("python-git-theta", "model.pt.json"));
        repository.Write("app/models/model.safetensors", reference);
        var pinned = repository.CommitAll("python git-theta metadata");
        repository.Write("app/models/other.safetensors", reference);
        repository.CommitAll("another");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        var atRevision = new TaskItem(repository.Path("app/models/model.safetensors"));
        atRevision.SetMetadata("Revision", pinned);

        var resolve = Resolve(engine, atRevision, new TaskItem(repository.Path("app/models/other.safetensors")));

        Assert.False(resolve.Execute());
        Assert.Equal(2, engine.Errors.Count);
        Assert.All(engine.Errors, e =>
        {
            Assert.Equal("GT1006", e.Code);
            Assert.Contains("GT2029", e.Message);
            Assert.Contains("Python git-theta", e.Message);
        });
        Assert.Empty(resolve.ResolvedModels);
    }

    private static string FixturePath(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "tests", "fixtures")))
        {
            directory = directory.Parent;
        }

        return Path.Combine([directory!.FullName, "tests", "fixtures", .. parts]);
    }

    private ResolveThetaModels Resolve(IBuildEngine engine, params string[] models) =>
        Resolve(engine, models.Select(m => (ITaskItem)new TaskItem(m)).ToArray());

    private ResolveThetaModels Resolve(IBuildEngine engine, params ITaskItem[] models) =>
        new() { BuildEngine = engine, Models = models, ProjectDirectory = repository.Path("app"), MaterializeDirectory = repository.Path("app/obj/gittheta") };

    public void Dispose() => repository.Dispose();
}
