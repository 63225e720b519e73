using System.Buffers.Binary;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Tests.EndToEnd;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Library;

/// <summary>
/// The library's front door against a real repository (committed with the real git-theta filter): a checkpoint at a
/// revision, its groups, one tensor, the whole file, a diff, and the errors a caller meets.
/// </summary>
public sealed class ThetaRepositoryTests : IDisposable
{
    private const string Model = "models/model.safetensors";
    private const string Changed = "layers.1.weight";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_checkpoint_at_an_older_revision_lists_its_groups_and_reads_their_values_as_they_were()
    {
        var (repo, v1, _) = TwoRevisions();
        using var repository = ThetaRepository.Open(repo.Path("models"));

        var checkpoint = repository.OpenCheckpoint(Model, "v1");

        Assert.Equal(repo.GitOk("rev-parse", "v1").Trim(), checkpoint.Commit);
        Assert.Equal("safetensors", checkpoint.Format);
        Assert.Equal(new[] { "layers.0.weight", "layers.1.weight", "layers.2.weight" }, checkpoint.Groups.Select(g => g.Name));
        var group = checkpoint.Group(Changed);
        Assert.Equal("F32", group.DType);
        Assert.Equal(new long[] { 32, 16 }, group.Shape);
        Assert.Equal(32 * 16 * 4, group.ValueByteLength);
        Assert.Equal("dense", group.UpdateType);
        Assert.True(group.StoredBytes > group.ValueByteLength, "a dense object is the value and its safetensors header");

        var expected = GroupBytes(v1, 1);
        var buffer = new byte[expected.Length + 3];
        Assert.Equal(expected.Length, checkpoint.ReadTensor(Changed, buffer.AsSpan()));
        Assert.Equal(expected, buffer[..expected.Length]);

        var floats = checkpoint.ReadTensor<float>(Changed);
        Assert.Equal(512, floats.Length);
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(expected), floats[0]);
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(expected.AsSpan(expected.Length - 4)), floats[^1]);

        using var stream = new MemoryStream();
        checkpoint.ReadTensor(Changed, stream);
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Without_a_revision_the_checkpoint_is_HEADs_and_the_index_is_readable_too()
    {
        var (repo, _, v2) = TwoRevisions();
        var v3 = v2.Clone().Add(2, 0.25f);
        repo.Write(Model, v3.ToBytes());
        repo.GitOk("add", Model);
        using var repository = ThetaRepository.Open(repo.Directory);

        Assert.Equal(GroupBytes(v2, 2), Value(repository.OpenCheckpoint(Model), "layers.2.weight"));
        var staged = repository.OpenCheckpoint(Model, ThetaRepository.Index);
        Assert.Null(staged.Commit);
        Assert.Equal(GroupBytes(v3, 2), Value(staged, "layers.2.weight"));
    }

    [Fact]
    public void The_whole_checkpoint_is_written_byte_for_byte_as_it_was_at_the_revision_without_touching_the_store()
    {
        var (repo, v1, _) = TwoRevisions();
        var storeBefore = StoreEntries(repo);
        using var repository = ThetaRepository.Open(repo.Directory);
        var checkpoint = repository.OpenCheckpoint(repo.Path(Model), "HEAD~1");

        var destination = sandbox.Path("out", "v1.safetensors");
        checkpoint.MaterializeTo(destination);
        using var written = new MemoryStream();
        checkpoint.WriteTo(written);

        Assert.Equal(v1.ToBytes(), File.ReadAllBytes(destination));
        Assert.Equal(v1.ToBytes(), written.ToArray());
        Assert.Equal(storeBefore, StoreEntries(repo));
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void A_diff_against_an_older_revision_names_the_changed_group_from_metadata_alone()
    {
        var (repo, _, _) = TwoRevisions();
        using var repository = ThetaRepository.Open(repo.Directory);

        var diff = repository.OpenCheckpoint(Model).Diff("v1");

        var change = Assert.Single(diff.Changes);
        Assert.Equal(Changed, change.Name);
        Assert.Equal(ThetaChangeKind.Modified, change.Kind);
        Assert.Equal(change.Before!.Shape, change.After!.Shape);
        Assert.Equal((0, 0, 1, 3), (diff.Added, diff.Removed, diff.Modified, diff.GroupCount));
        Assert.Empty(repository.OpenCheckpoint(Model, "v1").Diff("v1").Changes);

        // A revision before the file existed compares as empty: every group is added.
        var added = repository.OpenCheckpoint(Model, "v1").Diff("empty");
        Assert.Equal(3, added.Added);
    }

    [Fact]
    public void A_missing_path_an_unknown_revision_and_an_unknown_group_are_clear_errors()
    {
        var (repo, _, _) = TwoRevisions();
        using var repository = ThetaRepository.Open(repo.Directory);

        var missing = Assert.Throws<ThetaException>(() => repository.OpenCheckpoint("models/other.safetensors", "v1"));
        Assert.Equal(DiagnosticIds.NotFoundAtRevision, missing.Code);
        Assert.Contains("'models/other.safetensors' at v1", missing.Message);
        Assert.Contains("does not exist", missing.Message);

        var revision = Assert.Throws<ThetaException>(() => repository.OpenCheckpoint(Model, "no-such-tag"));
        Assert.Equal(DiagnosticIds.NotFoundAtRevision, revision.Code);
        Assert.Contains("unknown revision 'no-such-tag'", revision.Message);

        var plain = Assert.Throws<ThetaException>(() => repository.OpenCheckpoint("README.md", "v1"));
        Assert.Equal(DiagnosticIds.NotThetaMetadata, plain.Code);

        var checkpoint = repository.OpenCheckpoint(Model, "v1");
        var group = Assert.Throws<ThetaException>(() => checkpoint.ReadTensor<float>("layers.9.weight"));
        Assert.Equal(DiagnosticIds.InvalidArguments, group.Code);
        Assert.Contains("no parameter group 'layers.9.weight'", group.Message);
        Assert.Contains("'layers.0.weight'", group.Message);

        var type = Assert.Throws<ThetaException>(() => checkpoint.ReadTensor<double>(Changed));
        Assert.Equal(DiagnosticIds.InvalidArguments, type.Code);
        Assert.Contains("is F32", type.Message);

        Assert.Throws<ArgumentException>(() => checkpoint.ReadTensor(Changed, new byte[100].AsSpan()));

        var outside = Assert.Throws<ThetaException>(() => repository.OpenCheckpoint(sandbox.Path("elsewhere.safetensors")));
        Assert.Equal(DiagnosticIds.InvalidArguments, outside.Code);
    }

    [Fact]
    public void A_folder_outside_any_repository_is_GT2001()
    {
        var folder = sandbox.Path("plain");
        Directory.CreateDirectory(folder);

        var error = Assert.Throws<ThetaException>(() => ThetaRepository.Open(folder));

        Assert.Equal(DiagnosticIds.NotAGitRepository, error.Code);
    }

    [Fact]
    public void A_missing_object_without_a_remote_is_GT2007_naming_the_group()
    {
        var (repo, _, _) = TwoRevisions();
        var oid = MetadataView.Parse(repo.Show($"v1:{Model}"))[Changed].Oid;
        repo.DeleteObject(oid);
        using var repository = ThetaRepository.Open(repo.Directory);

        var error = Assert.Throws<ThetaException>(() => repository.OpenCheckpoint(Model, "v1").ReadTensor<float>(Changed));

        Assert.Equal(DiagnosticIds.MissingObject, error.Code);
        Assert.Contains(oid, error.Message);
        Assert.Contains($"'{Changed}'", error.Message);
        Assert.Contains("no remote", error.Message);
    }

    /// <summary>Every file and folder under .git/lfs: both object stores and their temp folders.</summary>
    private static List<string> StoreEntries(GitRepo repo) =>
        Directory.EnumerateFileSystemEntries(repo.Path(".git/lfs"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static byte[] Value(ThetaCheckpoint checkpoint, string name)
    {
        using var stream = new MemoryStream();
        checkpoint.ReadTensor(name, stream);
        return stream.ToArray();
    }

    /// <summary>The bytes of group <paramref name="index"/> in a checkpoint the test helper wrote (every group 32x16 F32).</summary>
    private static byte[] GroupBytes(Checkpoint checkpoint, int index)
    {
        var bytes = checkpoint.ToBytes();
        var start = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes) + (index * 2048);
        return bytes[start..(start + 2048)];
    }

    private (GitRepo Repo, Checkpoint V1, Checkpoint V2) TwoRevisions()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write("README.md", "a plain file\n"u8.ToArray());
        repo.GitOk("add", "README.md", ".gitattributes");
        repo.Commit("empty");
        repo.GitOk("tag", "empty");
        var v1 = Checkpoint.Random(3);
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", Model);
        repo.Commit("v1");
        repo.GitOk("tag", "v1");
        var v2 = v1.Clone().Add(1, 0.5f);
        repo.Write(Model, v2.ToBytes());
        repo.GitOk("add", Model);
        repo.Commit("v2");
        return (repo, v1, v2);
    }
}
