using GitTheta.Tasks.Tests.Infrastructure;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks.Tests;

/// <summary>
/// A Hub model folder (weights, config, tokenizer) declared as one ThetaModel: pinned, it is the folder of its Revision,
/// file by file; only the checkpoints in it get GT1004's advice to track them.
/// </summary>
public sealed class CompanionFileTests : IDisposable
{
    private readonly TempRepository repository = new();

    [Fact]
    public void A_folder_pinned_at_a_revision_is_the_files_of_that_revision_each_from_its_commit()
    {
        repository.Write("app/models/bert/config.json", "{\"v\":1}\n");
        repository.Write("app/models/bert/model.safetensors", Safetensors.Create(2, 1));
        repository.Write("app/models/bert/sub/notes.txt", "only in v1\n");
        repository.CommitAll("v1");
        repository.GitOk("tag", "v1");
        repository.Write("app/models/bert/config.json", "{\"v\":2}\n");
        repository.Write("app/models/bert/added.txt", "added since\n");
        File.Delete(repository.Path("app/models/bert/sub/notes.txt"));
        repository.CommitAll("v2");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        var folder = new TaskItem(repository.Path("app/models/bert"));
        folder.SetMetadata("Revision", "v1");
        folder.SetMetadata("Name", "Bert");

        var resolve = new ResolveThetaModels { BuildEngine = engine, Models = new ITaskItem[] { folder }, ProjectDirectory = repository.Path("app"), MaterializeDirectory = repository.Path("app/obj/gittheta") };
        Assert.True(resolve.Execute());

        Assert.Empty(engine.Warnings);
        var byTarget = resolve.ResolvedModels.ToDictionary(m => m.GetMetadata(ModelMetadata.TargetPath));
        Assert.Equal(new[] { "models/bert/config.json", "models/bert/model.safetensors", "models/bert/sub/notes.txt" }, byTarget.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("BertConfig", byTarget["models/bert/config.json"].GetMetadata(ModelMetadata.MemberName));
        Assert.All(byTarget.Values, m => Assert.Equal(ModelSource.Revision, m.GetMetadata(ModelMetadata.Source)));

        var materialize = new MaterializeThetaModels { BuildEngine = engine, Models = resolve.ResolvedModels.Select(m => (ITaskItem)new TaskItem(m.GetMetadata(ModelMetadata.MaterializedFile), m.CloneCustomMetadata())).ToArray() };
        Assert.True(materialize.Execute());
        Assert.Equal("{\"v\":1}\n", File.ReadAllText(byTarget["models/bert/config.json"].GetMetadata(ModelMetadata.MaterializedFile)));
        Assert.Equal("only in v1\n", File.ReadAllText(byTarget["models/bert/sub/notes.txt"].GetMetadata(ModelMetadata.MaterializedFile)));
    }

    [Fact]
    public void Only_a_checkpoint_gets_GT1004_and_one_git_lfs_holds_gets_the_switch_spelled_out()
    {
        repository.Write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n");
        repository.Write("app/models/bert/config.json", "{}\n");
        repository.Write("app/models/bert/tokenizer.json", "{\"vocab\":{}}\n");
        repository.Write("app/models/bert/model.safetensors", Safetensors.Create(2, 1));
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));

        var check = new CheckThetaModelTracking { BuildEngine = engine, Models = new ITaskItem[] { new TaskItem(repository.Path("app/models/bert")) }, ProjectDirectory = repository.Path("app") };

        Assert.True(check.Execute());
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal("GT1004", warning.Code);
        Assert.Contains("ThetaModel 'models/bert/model.safetensors' is not tracked by git-theta (.gitattributes gives it filter=lfs instead of the theta drivers)", warning.Message);
        Assert.Contains("git lfs untrack app/models/bert/model.safetensors && git theta track app/models/bert/model.safetensors && git add --renormalize app/models/bert/model.safetensors", warning.Message);
    }

    public void Dispose() => repository.Dispose();
}
