using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

/// <summary>The long-running filter protocol, driven through in-memory streams as git would.</summary>
public class FilterProcessServerTests
{
    private sealed class FakeHandler : IFilterHandler
    {
        public List<string> Calls { get; } = new();

        public List<FakeSmudge> Smudges { get; } = new();

        public byte[] Clean(Stream content, string path)
        {
            Calls.Add("clean " + path);
            if (path == "fail-before.bin")
            {
                content.ReadExactly(new byte[3]);
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: truncated");
            }

            if (path == "crash.bin")
            {
                throw new InvalidOperationException("boom");
            }

            if (path == "partial.bin")
            {
                // Reads only the start; the server must skip the rest.
                var head = new byte[5];
                content.ReadExactly(head);
                return head;
            }

            var all = new MemoryStream();
            content.CopyTo(all);
            return "CLEAN:"u8.ToArray().Concat(all.ToArray()).ToArray();
        }

        public ISmudgeResult Smudge(Stream content, string path)
        {
            Calls.Add("smudge " + path);
            var all = new MemoryStream();
            content.CopyTo(all);
            if (path == "missing.bin")
            {
                throw new ThetaException(DiagnosticIds.MissingObject, $"{path}: object missing");
            }

            var result = new FakeSmudge(all.ToArray().Reverse().ToArray(), failAfter: path == "fail-during.bin" ? 100_000 : -1);
            Smudges.Add(result);
            return result;
        }
    }

    private sealed class FakeSmudge : ISmudgeResult
    {
        private readonly byte[] output;
        private readonly int failAfter;

        public FakeSmudge(byte[] output, int failAfter)
        {
            this.output = output;
            this.failAfter = failAfter;
        }

        public bool Disposed { get; private set; }

        public bool IsCheckpoint => true;

        public long? EstimatedLength => output.Length;

        public void WriteTo(Stream stream)
        {
            if (failAfter >= 0)
            {
                stream.Write(output, 0, Math.Min(failAfter, output.Length));
                throw new ThetaException(DiagnosticIds.CorruptObject, "corrupt while writing");
            }

            stream.Write(output);
        }

        public void Dispose() => Disposed = true;
    }

    /// <summary>What git writes to the filter: handshake, capabilities, then requests.</summary>
    private sealed class GitSide
    {
        private readonly MemoryStream input = new();
        private readonly PktLineWriter writer;

        public GitSide(params string[] capabilities)
        {
            writer = new PktLineWriter(input);
            writer.WriteText("git-filter-client");
            writer.WriteText("version=2");
            writer.WriteFlush();
            foreach (var capability in capabilities)
            {
                writer.WriteText(capability);
            }

            writer.WriteFlush();
        }

        public GitSide Request(string command, string path, byte[] content)
        {
            writer.WriteText("command=" + command);
            writer.WriteText("pathname=" + path);
            writer.WriteFlush();
            writer.WriteContent(content);
            writer.WriteFlush();
            return this;
        }

        public byte[] Bytes => input.ToArray();
    }

    private sealed record Reply(List<string> Status, byte[] Content, List<string> FinalStatus);

    private static (List<string> Log, PktLineReader Output) Run(GitSide git, IFilterHandler handler)
    {
        var output = new MemoryStream();
        var log = new List<string>();
        new FilterProcessServer(new TrickleStream(git.Bytes, 7_000), output, handler, log.Add).Run();
        var reader = new PktLineReader(new MemoryStream(output.ToArray()));
        Assert.Equal(new[] { "git-filter-server", "version=2" }, reader.ReadTextList());
        return (log, reader);
    }

    private static Reply ReadReply(PktLineReader reader)
    {
        var status = reader.ReadTextList()!;
        if (status.SequenceEqual(new[] { "status=error" }))
        {
            return new Reply(status, Array.Empty<byte>(), new List<string>());
        }

        var content = new MemoryStream();
        new PktLineContentStream(reader).CopyTo(content);
        return new Reply(status, content.ToArray(), reader.ReadTextList()!);
    }

    [Fact]
    public void Handshake_answers_version_2_and_only_the_capabilities_git_offered_and_it_has()
    {
        var (_, reader) = Run(new GitSide("capability=clean", "capability=smudge", "capability=delay"), new FakeHandler());
        Assert.Equal(new[] { "capability=clean", "capability=smudge" }, reader.ReadTextList());
        Assert.Null(reader.ReadTextList());

        (_, reader) = Run(new GitSide("capability=clean"), new FakeHandler());
        Assert.Equal(new[] { "capability=clean" }, reader.ReadTextList());
    }

    [Theory]
    [InlineData("git-filter-client", "version=1")]
    [InlineData("git-something-else", "version=2")]
    public void A_wrong_handshake_is_a_protocol_error(string hello, string version)
    {
        var input = new MemoryStream();
        var writer = new PktLineWriter(input);
        writer.WriteText(hello);
        writer.WriteText(version);
        writer.WriteFlush();
        var server = new FilterProcessServer(new MemoryStream(input.ToArray()), new MemoryStream(), new FakeHandler(), _ => { });
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, server.Run);
    }

    [Fact]
    public void Git_closing_before_the_handshake_is_a_protocol_error()
    {
        var server = new FilterProcessServer(new MemoryStream(), new MemoryStream(), new FakeHandler(), _ => { });
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, server.Run);
    }

    [Fact]
    public void Serves_a_clean_and_a_smudge_request()
    {
        var content = TestData.RandomBytes(1, 150_000);
        var handler = new FakeHandler();
        var (log, reader) = Run(new GitSide("capability=clean", "capability=smudge").Request("clean", "a.bin", content).Request("smudge", "b.bin", content), handler);
        reader.ReadTextList();

        var clean = ReadReply(reader);
        Assert.Equal(new[] { "status=success" }, clean.Status);
        Assert.Equal("CLEAN:"u8.ToArray().Concat(content).ToArray(), clean.Content);
        Assert.Empty(clean.FinalStatus);

        var smudge = ReadReply(reader);
        Assert.Equal(new[] { "status=success" }, smudge.Status);
        Assert.Equal(content.Reverse().ToArray(), smudge.Content);
        Assert.Empty(smudge.FinalStatus);

        Assert.Null(reader.ReadTextList());
        Assert.Equal(new[] { "clean a.bin", "smudge b.bin" }, handler.Calls);
        Assert.True(handler.Smudges.Single().Disposed);
        Assert.Empty(log);
    }

    [Fact]
    public void An_error_before_content_answers_status_error_and_the_next_request_is_served()
    {
        var content = TestData.RandomBytes(2, 100_000);
        var handler = new FakeHandler();
        var git = new GitSide("capability=clean", "capability=smudge")
            .Request("clean", "fail-before.bin", content)
            .Request("smudge", "missing.bin", content)
            .Request("clean", "crash.bin", content)
            .Request("clean", "ok.bin", new byte[] { 9 });
        var (log, reader) = Run(git, handler);
        reader.ReadTextList();

        Assert.Equal(new[] { "status=error" }, ReadReply(reader).Status);
        Assert.Equal(new[] { "status=error" }, ReadReply(reader).Status);
        Assert.Equal(new[] { "status=error" }, ReadReply(reader).Status);
        var ok = ReadReply(reader);
        Assert.Equal(new[] { "status=success" }, ok.Status);
        Assert.Equal("CLEAN:\t"u8.ToArray(), ok.Content);
        Assert.Null(reader.ReadTextList());

        Assert.Equal(3, log.Count);
        Assert.Contains(DiagnosticIds.TruncatedCheckpoint, log[0]);
        Assert.Contains(DiagnosticIds.MissingObject, log[1]);
        Assert.Contains(DiagnosticIds.UnexpectedError, log[2]);
        Assert.Contains("crash.bin", log[2]);
    }

    [Fact]
    public void An_error_after_content_started_ends_the_content_and_takes_success_back()
    {
        var content = TestData.RandomBytes(3, 200_000);
        var handler = new FakeHandler();
        var (log, reader) = Run(new GitSide("capability=clean", "capability=smudge").Request("smudge", "fail-during.bin", content).Request("clean", "ok.bin", new byte[] { 1 }), handler);
        reader.ReadTextList();

        var failed = ReadReply(reader);
        Assert.Equal(new[] { "status=success" }, failed.Status);
        // Git throws partial content away on status=error; whatever was sent must still be a true prefix.
        Assert.InRange(failed.Content.Length, 0, 100_000);
        Assert.Equal(content.Reverse().Take(failed.Content.Length).ToArray(), failed.Content);
        Assert.Equal(new[] { "status=error" }, failed.FinalStatus);
        Assert.True(handler.Smudges.Single().Disposed);

        Assert.Equal(new[] { "status=success" }, ReadReply(reader).Status);
        Assert.Single(log);
        Assert.Contains(DiagnosticIds.CorruptObject, log[0]);
    }

    [Fact]
    public void Content_a_handler_does_not_read_is_skipped()
    {
        var content = TestData.RandomBytes(4, 100_000);
        var (_, reader) = Run(new GitSide("capability=clean").Request("clean", "partial.bin", content).Request("clean", "ok.bin", new byte[] { 7 }), new FakeHandler());
        reader.ReadTextList();
        Assert.Equal(content[..5], ReadReply(reader).Content);
        Assert.Equal("CLEAN:\a"u8.ToArray(), ReadReply(reader).Content);
    }

    [Fact]
    public void An_unknown_command_answers_status_error()
    {
        var handler = new FakeHandler();
        var (log, reader) = Run(new GitSide("capability=clean").Request("list_available_blobs", "x.bin", new byte[10]).Request("clean", "ok.bin", new byte[] { 1 }), handler);
        reader.ReadTextList();
        Assert.Equal(new[] { "status=error" }, ReadReply(reader).Status);
        Assert.Equal(new[] { "status=success" }, ReadReply(reader).Status);
        Assert.Equal(new[] { "clean ok.bin" }, handler.Calls);
        Assert.Contains("list_available_blobs", Assert.Single(log));
    }
}
