using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Diagnostics;

/// <summary>
/// I/O failures of the machine (disk full, too many open files, permission denied) become GT2023 naming the cause and
/// the path, not GT2000 "unexpected error" (issue 11, item 12); everything else is left to the caller.
/// </summary>
public sealed class IoFailureTests
{
    private const string Advice = "and run the command again.";

    [Fact]
    public void Disk_full_reported_by_the_operating_system_is_GT2023_naming_the_device()
    {
        // /dev/full (Linux) fails every write with ENOSPC: the real errno, through the real FileStream.
        var failure = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            full.Write(new byte[4096]);
        });

        var error = IoFailure.Describe(failure, "model.safetensors");

        Assert.NotNull(error);
        Assert.Equal(DiagnosticIds.IoFailure, error.Code);
        Assert.StartsWith("model.safetensors: the disk is full (ENOSPC) at '/dev/full'; free space on that file system", error.Message);
        Assert.EndsWith(Advice, error.Message);
    }

    [Theory]
    [InlineData(28, "No space left on device : '/r/.git/lfs/tmp/a.tmp'", "the disk is full (ENOSPC) at '/r/.git/lfs/tmp/a.tmp'; free space")]
    [InlineData(24, "Too many open files : '/r/.git/lfs/tmp/b.tmp'", "too many open files (EMFILE) at '/r/.git/lfs/tmp/b.tmp'; raise the limit (ulimit -n)")]
    [InlineData(23, "Too many open files in system : '/r/c'", "too many open files (ENFILE) at '/r/c'; raise the limit (ulimit -n)")]
    [InlineData(30, "Read-only file system : '/r/.git/lfs/objects/ab'", "the file system is read-only (EROFS) at '/r/.git/lfs/objects/ab'; remount it writable")]
    [InlineData(5, "Input/output error : '/r/model.safetensors'", "the disk reported an input/output error (EIO) at '/r/model.safetensors'; check the disk")]
    [InlineData(21, "Is a directory : '/r/.gitattributes'", "the path is a folder, not a file (EISDIR) at '/r/.gitattributes'; move that folder out of the way")]
    [InlineData(unchecked((int)0x80070070), "There is not enough space on the disk. : 'C:\\r\\x.tmp'", "the disk is full (ENOSPC) at 'C:\\r\\x.tmp'")]
    [InlineData(9999, "Something odd : '/r/d'", "an I/O operation failed (Something odd) at '/r/d'; check the disk and the path")]
    public void Each_cause_is_named_with_its_path_and_what_to_do(int hresult, string message, string expected)
    {
        var error = IoFailure.Describe(new IOException(message, hresult));

        Assert.NotNull(error);
        Assert.Equal(DiagnosticIds.IoFailure, error.Code);
        Assert.StartsWith(expected, error.Message);
        Assert.EndsWith(".", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Permission_denied_and_a_missing_file_name_their_path()
    {
        Assert.StartsWith(
            "permission denied (EACCES) at '/r/.git/lfs/objects'; check the owner and mode",
            IoFailure.Describe(new UnauthorizedAccessException("Access to the path '/r/.git/lfs/objects' is denied."))!.Message);
        Assert.StartsWith(
            "a file or folder does not exist (ENOENT) at '/r/out/model.safetensors'",
            IoFailure.Describe(new FileNotFoundException("Could not find file '/r/out/model.safetensors'.", "/r/out/model.safetensors"))!.Message);
    }

    [Fact]
    public void A_failure_without_a_path_says_so()
    {
        var error = IoFailure.Describe(new IOException("No space left on device", 28));

        Assert.StartsWith("the disk is full (ENOSPC) on a stream without a path (standard output or a pipe); free space", error!.Message);
    }

    [Fact]
    public void The_failure_is_found_inside_the_wrappers_that_rethrow_it()
    {
        var disk = new IOException("No space left on device : '/r/x'", 28);

        Assert.Equal(DiagnosticIds.IoFailure, IoFailure.Describe(new InvalidOperationException(disk.Message, disk))?.Code);
        Assert.Equal(DiagnosticIds.IoFailure, IoFailure.Describe(new AggregateException(disk))?.Code);
    }

    [Fact]
    public void Other_exceptions_are_not_io_failures()
    {
        Assert.Null(IoFailure.Describe(new EndOfStreamException()));
        Assert.Null(IoFailure.Describe(new FileLoadException("GitTheta.Core could not be loaded")));
        Assert.Null(IoFailure.Describe(new InvalidDataException("bad")));
        Assert.Null(IoFailure.Describe(new InvalidOperationException("boom")));
        Assert.Null(IoFailure.Describe(new AggregateException(new IOException("a", 28), new IOException("b", 28))));
        Assert.Null(IoFailure.Describe(new ArgumentException("x", new IOException("No space left on device", 28))));
    }

    [Fact]
    public void The_filter_process_answers_an_io_failure_with_GT2023_naming_the_file_git_asked_for()
    {
        var input = new MemoryStream();
        var git = new PktLineWriter(input);
        git.WriteText("git-filter-client");
        git.WriteText("version=2");
        git.WriteFlush();
        git.WriteText("capability=clean");
        git.WriteFlush();
        git.WriteText("command=clean");
        git.WriteText("pathname=model.safetensors");
        git.WriteFlush();
        git.WriteContent(new byte[] { 1, 2, 3 });
        git.WriteFlush();
        var log = new List<string>();

        new FilterProcessServer(new MemoryStream(input.ToArray()), new MemoryStream(), new DiskFullHandler(), log.Add).Run();

        Assert.Equal(
            "error GT2023: model.safetensors: the disk is full (ENOSPC) at '/r/.git/lfs/tmp/theta-1.tmp'; free space on that file system (objects go under .git/lfs or lfs.storage, temporary files under TMPDIR) and run the command again.",
            Assert.Single(log));
    }

    /// <summary>Fails every clean as a full disk does, wrapped as the smudge prefetcher wraps what its reader throws.</summary>
    private sealed class DiskFullHandler : IFilterHandler
    {
        public byte[] Clean(Stream content, string path)
        {
            var disk = new IOException("No space left on device : '/r/.git/lfs/tmp/theta-1.tmp'", 28);
            throw new InvalidOperationException(disk.Message, disk);
        }

        public ISmudgeResult Smudge(Stream content, string path) => throw new NotSupportedException();
    }
}
