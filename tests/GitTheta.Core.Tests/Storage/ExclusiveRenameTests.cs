using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

public class ExclusiveRenameTests
{
    [Fact]
    public void Moves_a_file_to_a_free_name()
    {
        using var temp = new TempDirectory();
        var source = Path.Combine(temp.Path, "a.tmp");
        var destination = Path.Combine(temp.Path, "object");
        File.WriteAllBytes(source, new byte[] { 1, 2, 3 });

        ExclusiveRename.Move(source, destination);

        Assert.False(File.Exists(source));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(destination));
    }

    [Fact]
    public void Never_replaces_an_existing_file_and_fails_as_File_Move_does()
    {
        using var temp = new TempDirectory();
        var source = Path.Combine(temp.Path, "a.tmp");
        var destination = Path.Combine(temp.Path, "object");
        File.WriteAllBytes(source, new byte[] { 1 });
        File.WriteAllBytes(destination, new byte[] { 2 });

        Assert.Throws<IOException>(() => ExclusiveRename.Move(source, destination));

        Assert.Equal(new byte[] { 1 }, File.ReadAllBytes(source));
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(destination));
    }

    [Fact]
    public void A_missing_destination_folder_fails_as_File_Move_does()
    {
        using var temp = new TempDirectory();
        var source = Path.Combine(temp.Path, "a.tmp");
        File.WriteAllBytes(source, new byte[] { 1 });

        Assert.Throws<DirectoryNotFoundException>(() => ExclusiveRename.Move(source, Path.Combine(temp.Path, "gone", "object")));
        Assert.True(File.Exists(source));
    }
}
