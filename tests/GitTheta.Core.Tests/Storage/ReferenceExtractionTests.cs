using System.Text;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

/// <summary>Which object ids a blob names: git-lfs pointers, theta metadata, and metadata this version cannot read.</summary>
public sealed class ReferenceExtractionTests
{
    private static readonly string A = SampleMetadata.Oid("a");
    private static readonly string B = SampleMetadata.Oid("b");

    [Fact]
    public void A_git_lfs_pointer_names_its_object_and_its_extensions_objects()
    {
        var pointer = $"version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{B}\noid sha256:{A}\nsize 12345\n";

        Assert.Equal(new[] { B, A }, LfsPointer.Oids(Encoding.ASCII.GetBytes(pointer)));
    }

    [Fact]
    public void Blobs_that_are_not_pointers_name_nothing_as_pointers()
    {
        var pointerLike = $"version https://git-lfs.github.com/spec/v1\noid sha256:{A}\nsize 1\n";
        var tooLong = Encoding.ASCII.GetBytes(pointerLike.PadRight(LfsPointer.MaxBytes, 'x'));

        Assert.Empty(LfsPointer.Oids(tooLong));
        Assert.Empty(LfsPointer.Oids(Encoding.ASCII.GetBytes($"oid sha256:{A}\n")));
    }

    [Fact]
    public void Metadata_names_its_container_group_objects_and_update_chains()
    {
        var chained = SampleMetadata.Entry("w", update: new UpdateDescription(
            "sparse",
            Base: new string('1', 40),
            Chain: new[] { new UpdateLink("dense", new ObjectRef(SampleMetadata.Oid("w-base"), 50)) }));
        var metadata = SampleMetadata.Create("bias") with
        {
            Parameters = new Dictionary<string, ParameterEntry> { ["bias"] = SampleMetadata.Entry("bias"), ["w"] = chained },
        };

        var oids = MetadataReferences.Oids(MetadataSerializer.Serialize(metadata));

        Assert.Equal(
            new[] { SampleMetadata.Oid("container"), SampleMetadata.Oid("bias"), SampleMetadata.Oid("w"), SampleMetadata.Oid("w-base") }.Order(StringComparer.Ordinal),
            oids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Metadata_of_a_format_this_version_cannot_read_still_keeps_every_oid_it_mentions()
    {
        var newer = $"{{\"format\":\"git-theta/2\",\"blobs\":[\"{A}\",\"dense {B} 10\"]}}";

        Assert.Equal(new[] { A, B }, MetadataReferences.Oids(Encoding.UTF8.GetBytes(newer)));
    }

    [Fact]
    public void Something_that_is_not_metadata_names_nothing()
    {
        Assert.Empty(MetadataReferences.Oids(Encoding.UTF8.GetBytes($"{{\"format\":\"other\",\"oid\":\"{A}\"}}")));
        Assert.Empty(MetadataReferences.Oids(Encoding.UTF8.GetBytes($"# notes on git-theta/1: {A}")));
    }

    [Fact]
    public void Only_whole_runs_of_64_lowercase_hex_digits_are_oids()
    {
        var text = $"x{A}y {A}0 {A.ToUpperInvariant()} {A[..63]} [{B}]";

        Assert.Equal(new[] { B }, ObjectIdTokens.In(Encoding.ASCII.GetBytes(text)));
    }
}
