using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Metadata;

public class MetadataDiffTests
{
    [Fact]
    public void Reports_added_removed_and_modified_groups_in_name_order()
    {
        var before = SampleMetadata.Create("kept", "removed", "changed", "retyped");
        var parameters = before.Parameters.ToDictionary(p => p.Key, p => p.Value);
        parameters.Remove("removed");
        parameters["added"] = SampleMetadata.Entry("added");
        parameters["changed"] = parameters["changed"] with { Object = new ObjectRef(SampleMetadata.Oid("new"), 1) };
        parameters["retyped"] = parameters["retyped"] with { Tensor = parameters["retyped"].Tensor with { DType = DType.F16 } };
        var after = before with { Parameters = parameters };

        var diff = MetadataDiff.Compare(before, after);

        Assert.Equal(new[] { ("added", ChangeKind.Added), ("changed", ChangeKind.Modified), ("removed", ChangeKind.Removed), ("retyped", ChangeKind.Modified) }, diff.Changes.Select(c => (c.Name, c.Kind)));
        Assert.Equal(5, diff.Total);
        Assert.Equal(1, diff.Added);
        Assert.Equal(1, diff.Removed);
        Assert.Equal(2, diff.Modified);
        Assert.Null(diff.Changes[0].Before);
        Assert.Null(diff.Changes[2].After);
    }

    [Fact]
    public void An_update_type_change_alone_is_a_modification()
    {
        var before = SampleMetadata.Create("w");
        var after = before with { Parameters = new Dictionary<string, ParameterEntry> { ["w"] = before.Parameters["w"] with { Update = new UpdateDescription("sparse") } } };
        Assert.Equal(ChangeKind.Modified, MetadataDiff.Compare(before, after).Changes.Single().Kind);
    }

    [Fact]
    public void Identical_metadata_has_no_changes_and_null_means_empty()
    {
        Assert.Empty(MetadataDiff.Compare(SampleMetadata.Create("a", "b"), SampleMetadata.Create("b", "a")).Changes);
        var fromNothing = MetadataDiff.Compare(null, SampleMetadata.Create("a", "b"));
        Assert.Equal(2, fromNothing.Added);
        Assert.Equal(2, MetadataDiff.Compare(SampleMetadata.Create("a", "b"), null).Removed);
    }
}
