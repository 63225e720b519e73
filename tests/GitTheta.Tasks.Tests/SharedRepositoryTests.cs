using GitTheta.Tasks.Tests.Infrastructure;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks.Tests;

/// <summary>The tasks of one build open each repository once and share it through the build engine.</summary>
public sealed class SharedRepositoryTests : IDisposable
{
    private readonly TempRepository repository = new();

    [Fact]
    public void Two_tasks_of_one_build_share_one_repository_object_registered_once()
    {
        repository.Write("app/models/model.safetensors", Safetensors.Create(4, 4));
        repository.CommitAll("model");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        var model = new TaskItem(repository.Path("app/models/model.safetensors"));

        var resolve = new ResolveThetaModels { BuildEngine = engine, Models = new ITaskItem[] { model }, ProjectDirectory = repository.Path("app"), MaterializeDirectory = repository.Path("app/obj/gittheta") };
        Assert.True(resolve.Execute());
        var check = new CheckThetaModelTracking { BuildEngine = engine, Models = new ITaskItem[] { model }, ProjectDirectory = repository.Path("app") };
        Assert.True(check.Execute());

        var repositories = engine.Registrations.Where(r => ((string)r.Key).StartsWith(BuildRepositories.KeyPrefix + "repository:", StringComparison.Ordinal)).ToList();
        var registration = Assert.Single(repositories);
        Assert.Equal(RegisteredTaskObjectLifetime.Build, registration.Lifetime);
        Assert.Equal(BuildRepositories.RepositoryKey(Path.GetFullPath(Path.Combine(repository.Directory, ".git")) + Path.DirectorySeparatorChar), registration.Key);
    }

    [Fact]
    public void A_second_task_gets_the_object_the_first_one_registered()
    {
        repository.Write("a/one.bin", "one");
        repository.Write("b/two.bin", "two");
        repository.CommitAll("files");
        var engine = new FakeBuildEngine(repository.Path("app.csproj"));

        using var first = new BuildRepositories(engine);
        var opened = first.Find(repository.Path("a/one.bin"));
        using var second = new BuildRepositories(engine);

        // Another folder of the same repository: found through its git directory, not opened again.
        Assert.NotNull(opened);
        Assert.Same(opened, second.Find(repository.Path("b/two.bin")));
        Assert.Same(opened, second.Find(repository.Path("a/one.bin")));
        Assert.Single(engine.Registrations, r => r.Value is Core.Repositories.ThetaRepository);
    }

    [Fact]
    public void The_build_disposes_the_shared_repository_and_the_next_build_opens_a_new_one()
    {
        repository.Write("model.bin", "bytes");
        repository.CommitAll("file");
        var engine = new FakeBuildEngine(repository.Path("app.csproj"));
        Core.Repositories.ThetaRepository? firstBuild;
        using (var repositories = new BuildRepositories(engine))
        {
            firstBuild = repositories.Find(repository.Path("model.bin"));
        }

        // A task ending leaves the build's repository open for the next task.
        Assert.NotNull(firstBuild!.Git.ResolveCommit("HEAD"));

        engine.EndBuild();
        using var next = new BuildRepositories(engine);
        var secondBuild = next.Find(repository.Path("model.bin"));

        Assert.NotNull(secondBuild);
        Assert.NotSame(firstBuild, secondBuild);
    }

    [Fact]
    public void Without_an_engine_that_shares_objects_a_task_opens_the_repository_for_itself()
    {
        repository.Write("model.bin", "bytes");
        repository.CommitAll("file");

        using var repositories = new BuildRepositories(engine: null);
        var found = repositories.Find(repository.Path("model.bin"));

        Assert.NotNull(found);
        Assert.Equal(repository.Directory, Path.TrimEndingDirectorySeparator(found!.WorkTree!));
    }

    [Fact]
    public void A_file_outside_every_repository_has_none_and_registers_nothing()
    {
        var outside = Path.Combine(repository.Root, "outside", "model.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        File.WriteAllText(outside, "bytes");
        var engine = new FakeBuildEngine(outside);

        using var repositories = new BuildRepositories(engine);

        Assert.Null(repositories.Find(outside));
        Assert.Empty(engine.Registrations);
    }

    [Fact]
    public void What_the_shared_fetcher_logs_goes_to_the_log_routed_by_the_call_that_fetches()
    {
        var remote = Path.Combine(repository.Root, "remote.git");
        Directory.CreateDirectory(remote);
        repository.GitOk("-C", remote, "init", "-q", "--bare");
        repository.GitOk("remote", "add", "origin", remote);
        repository.Write("app/readme.txt", "app");
        repository.CommitAll("app");
        var engine = new FakeBuildEngine(repository.Path("app/app.csproj"));
        using var repositories = new BuildRepositories(engine);
        var shared = repositories.Find(repository.Path("app/readme.txt"))!;
        var absent = new Core.Storage.ObjectRef(new string('a', 64), 10);
        var alsoAbsent = new Core.Storage.ObjectRef(new string('b', 64), 10);
        var first = new List<string>();
        var second = new List<string>();
        var again = new List<string>();

        using (shared.RouteLog(first.Add))
        {
            shared.Engine.Fetcher!.Fetch(new[] { absent });
        }

        using (shared.RouteLog(second.Add))
        {
            shared.Engine.Fetcher!.Fetch(new[] { alsoAbsent });
        }

        // An object git-lfs did not deliver is not asked for again in the same build: nothing to say the second time.
        using (shared.RouteLog(again.Add))
        {
            shared.Engine.Fetcher!.Fetch(new[] { absent });
        }

        shared.Engine.Fetcher!.Fetch(new[] { alsoAbsent });

        Assert.Contains(first, line => line.StartsWith("git lfs could not fetch 1 of 1 object(s) (first: " + absent.Oid, StringComparison.Ordinal));
        Assert.DoesNotContain(first, line => line.Contains(alsoAbsent.Oid, StringComparison.Ordinal));
        Assert.Contains(second, line => line.StartsWith("git lfs could not fetch 1 of 1 object(s) (first: " + alsoAbsent.Oid, StringComparison.Ordinal));
        Assert.DoesNotContain(second, line => line.Contains(absent.Oid, StringComparison.Ordinal));
        Assert.Empty(again);
    }

    public void Dispose() => repository.Dispose();
}
