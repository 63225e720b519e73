using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

/// <summary>Which stored objects and temp files a collection removes, with the references given by hand.</summary>
public sealed class ObjectCollectorTests : IDisposable
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddDays(-30);
    private static readonly DateTime GraceStart = DateTime.UtcNow.AddHours(-1);

    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public ObjectCollectorTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    [Fact]
    public void Referenced_and_recent_objects_stay_and_only_the_old_unreferenced_ones_go()
    {
        var referenced = Put("referenced", LongAgo);
        var recent = Put("recent", DateTime.UtcNow);
        var old = Put("old", LongAgo);

        var report = Collector(referenced).Collect(GraceStart, dryRun: false);

        Assert.Equal(new[] { old }, report.Removed.Select(o => o.Oid));
        Assert.Equal(new[] { referenced }, report.Referenced.Select(o => o.Oid));
        Assert.Equal(new[] { recent }, report.Recent.Select(o => o.Oid));
        Assert.Equal(new[] { recent, referenced }.Order(StringComparer.Ordinal), StoredOids());
        Assert.Equal(report.Removed.Single().Size, report.RemovedBytes);
    }

    [Fact]
    public void With_no_grace_period_every_unreferenced_object_goes_however_new()
    {
        var referenced = Put("referenced", DateTime.UtcNow);
        Put("new", DateTime.UtcNow);

        var report = Collector(referenced).Collect(DateTime.MaxValue, dryRun: false);

        Assert.Single(report.Removed);
        Assert.Equal(new[] { referenced }, StoredOids());
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_names_what_a_real_run_then_removes()
    {
        var keep = Put("keep", LongAgo);
        Put("a", LongAgo);
        Put("b", LongAgo);
        var temp = StaleTempFile();
        var before = StoredOids();

        var dry = Collector(keep).Collect(GraceStart, dryRun: true);

        Assert.True(dry.DryRun);
        Assert.Equal(before, StoredOids());
        Assert.True(File.Exists(temp));
        Assert.Equal(2, dry.Removed.Count);

        var real = Collector(keep).Collect(GraceStart, dryRun: false);
        Assert.Equal(dry.Removed.Select(o => o.Oid), real.Removed.Select(o => o.Oid));
        Assert.Equal(dry.TempFilesRemoved.Select(t => t.Path), real.TempFilesRemoved.Select(t => t.Path));
        Assert.Equal(new[] { keep }, StoredOids());
    }

    [Fact]
    public void A_reference_source_that_fails_leaves_the_store_and_the_temp_files_alone()
    {
        Put("a", LongAgo);
        Put("b", LongAgo);
        var temp = StaleTempFile();
        var before = StoredOids();
        var failing = new FakeReferences(_ => throw new ThetaException(DiagnosticIds.GcReferenceScanFailed, "broken ref"));

        var error = Assert.Throws<ThetaException>(() => new ObjectCollector(store, failing).Collect(DateTime.MaxValue, dryRun: false));

        Assert.Equal(DiagnosticIds.GcReferenceScanFailed, error.Code);
        Assert.Equal(before, StoredOids());
        Assert.True(File.Exists(temp));
    }

    [Fact]
    public void A_removed_object_loses_both_names_and_a_kept_one_keeps_both()
    {
        var keep = Put("keep", LongAgo);
        var drop = Put("drop", LongAgo);

        // Both were pushed, which gives each git-lfs's name too.
        Assert.True(store.EnsureLfsCopy(keep) && store.EnsureLfsCopy(drop));

        Collector(keep).Collect(GraceStart, dryRun: false);

        Assert.False(File.Exists(store.PathOf(drop)));
        Assert.False(File.Exists(store.LfsPathOf(drop)));
        Assert.True(File.Exists(store.PathOf(keep)));
        Assert.True(File.Exists(store.LfsPathOf(keep)));
    }

    [Fact]
    public void An_object_only_git_lfs_holds_is_listed_and_collected_like_the_others()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("downloaded by git-lfs");
        var oid = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();
        Directory.CreateDirectory(Path.GetDirectoryName(store.LfsPathOf(oid))!);
        File.WriteAllBytes(store.LfsPathOf(oid), bytes);
        File.SetLastWriteTimeUtc(store.LfsPathOf(oid), LongAgo);

        var report = Collector().Collect(GraceStart, dryRun: false);

        Assert.Equal(new[] { oid }, report.Removed.Select(o => o.Oid));
        Assert.False(File.Exists(store.LfsPathOf(oid)));
    }

    [Fact]
    public void Temp_files_older_than_the_grace_period_go_and_newer_ones_stay()
    {
        var stale = StaleTempFile();
        var fresh = Path.Combine(store.TempDirectory, "theta-2-fresh.tmp");
        File.WriteAllText(fresh, "being written");

        var report = Collector().Collect(GraceStart, dryRun: false);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.Equal(new[] { stale }, report.TempFilesRemoved.Select(t => t.Path));
        Assert.Equal("half an object".Length, report.TempBytesRemoved);
    }

    [Fact]
    public void An_object_touched_while_the_references_are_read_is_kept()
    {
        var touched = Put("touched", LongAgo);
        var scan = new FakeReferences(_ => File.SetLastWriteTimeUtc(store.PathOf(touched), DateTime.UtcNow));

        var report = new ObjectCollector(store, scan).Collect(GraceStart, dryRun: false);

        Assert.Empty(report.Removed);
        Assert.Equal(new[] { touched }, report.Recent.Select(o => o.Oid));
        Assert.True(store.Contains(touched));
    }

    [Fact]
    public void Files_that_are_not_objects_in_the_lfs_layout_are_never_touched()
    {
        var oid = SampleMetadata.Oid("misplaced");
        var strangers = new[]
        {
            Path.Combine(store.ObjectsDirectory, "ab", "cd", "not-an-oid"),
            Path.Combine(store.ObjectsDirectory, "ff", "ff", oid),
            Path.Combine(store.ObjectsDirectory, oid[..2], oid),
            Path.Combine(store.ObjectsDirectory, "ff", oid),
            Path.Combine(store.ObjectsDirectory, oid.ToUpperInvariant()),
            Path.Combine(store.ObjectsDirectory, oid[..2], oid[2..4], oid.ToUpperInvariant()),
        };
        foreach (var stranger in strangers)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(stranger)!);
            File.WriteAllText(stranger, "x");
            File.SetLastWriteTimeUtc(stranger, LongAgo);
        }

        var report = Collector().Collect(DateTime.MaxValue, dryRun: false);

        Assert.Empty(report.Removed);
        Assert.All(strangers, s => Assert.True(File.Exists(s)));
    }


    private ObjectCollector Collector(params string[] referenced) =>
        new(store, new FakeReferences(add =>
        {
            foreach (var oid in referenced)
            {
                add(oid);
            }
        }));

    private string Put(string content, DateTime lastWriteUtc)
    {
        var oid = store.Put(System.Text.Encoding.UTF8.GetBytes(content)).Oid;
        File.SetLastWriteTimeUtc(store.PathOf(oid), lastWriteUtc);
        return oid;
    }

    private string StaleTempFile()
    {
        Directory.CreateDirectory(store.TempDirectory);
        var path = Path.Combine(store.TempDirectory, "theta-1-stale.tmp");
        File.WriteAllText(path, "half an object");
        File.SetLastWriteTimeUtc(path, LongAgo);
        return path;
    }

    private IReadOnlyList<string> StoredOids() => store.EnumerateObjects().Select(o => o.Oid).Order(StringComparer.Ordinal).ToList();

    private sealed class FakeReferences : IObjectReferenceSource
    {
        private readonly Action<Action<string>> scan;

        public FakeReferences(Action<Action<string>> scan)
        {
            this.scan = scan;
        }

        public void Scan(Action<string> referenced) => scan(referenced);
    }
}
