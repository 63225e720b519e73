using System.IO.Pipes;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

/// <summary>
/// The protocol's delay capability, driven over real pipes as git drives it during a checkout: smudges answered
/// status=delayed, list_available_blobs, and the second request for each path with no content.
/// </summary>
public class SmudgeAheadTests
{
    private sealed class RecordingHandler : IFilterHandler
    {
        private readonly object gate = new();
        private int running;

        public List<string> Calls { get; } = new();

        public List<List<string>> Prefetches { get; } = new();

        public bool RanConcurrently { get; private set; }

        /// <summary>What <see cref="LacksObjects"/> answers: true plays a clone, whose objects are all on the remote.</summary>
        public bool Lacking { get; init; }

        public bool LacksObjects(IReadOnlyList<DelayedSmudge> upcoming) => Lacking;

        public void Prefetch(IReadOnlyList<DelayedSmudge> upcoming)
        {
            Enter("prefetch " + upcoming.Count);
            try
            {
                lock (gate)
                {
                    Prefetches.Add(upcoming.Select(d => d.Path).ToList());
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        public byte[] Clean(Stream content, string path)
        {
            Enter("clean " + path);
            try
            {
                var all = new MemoryStream();
                content.CopyTo(all);
                return "CLEAN:"u8.ToArray().Concat(all.ToArray()).ToArray();
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        public ISmudgeResult Smudge(Stream content, string path)
        {
            Enter("smudge " + path);
            try
            {
                var all = new MemoryStream();
                content.CopyTo(all);
                Thread.Sleep(5);
                if (path == "missing.bin")
                {
                    throw new ThetaException(DiagnosticIds.MissingObject, $"{path}: object missing");
                }

                return new Reversed(all.ToArray());
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        private void Enter(string call)
        {
            if (Interlocked.Increment(ref running) > 1)
            {
                RanConcurrently = true;
            }

            lock (gate)
            {
                Calls.Add(call);
            }
        }
    }

    private sealed class Reversed(byte[] input) : ISmudgeResult
    {
        public bool IsCheckpoint => true;

        public long? EstimatedLength => input.Length;

        public void WriteTo(Stream output) => output.Write(input.Reverse().ToArray());

        public void Dispose()
        {
        }
    }

    /// <summary>git's end of the two pipes, with the server running on its own thread.</summary>
    private sealed class LiveGit : IDisposable
    {
        private readonly AnonymousPipeServerStream toFilter = new(PipeDirection.Out);
        private readonly AnonymousPipeServerStream fromFilter = new(PipeDirection.In);
        private readonly PktLineWriter writer;
        private readonly Task server;

        public LiveGit(IFilterHandler handler, long budget, params string[] capabilities)
        {
            var filterInput = new AnonymousPipeClientStream(PipeDirection.In, toFilter.ClientSafePipeHandle);
            var filterOutput = new AnonymousPipeClientStream(PipeDirection.Out, fromFilter.ClientSafePipeHandle);
            server = Task.Run(() =>
            {
                using (filterInput)
                using (filterOutput)
                {
                    new FilterProcessServer(filterInput, filterOutput, handler, line => { lock (Log) { Log.Add(line); } }, budget).Run();
                }
            });
            writer = new PktLineWriter(toFilter);
            Reader = new PktLineReader(fromFilter);
            writer.WriteText("git-filter-client");
            writer.WriteText("version=2");
            writer.WriteFlush();
            foreach (var capability in capabilities)
            {
                writer.WriteText(capability);
            }

            writer.WriteFlush();
            writer.Flush();
            Assert.Equal(new[] { "git-filter-server", "version=2" }, Reader.ReadTextList());
            Capabilities = Reader.ReadTextList()!;
        }

        public List<string> Log { get; } = new();

        public List<string> Capabilities { get; }

        public PktLineReader Reader { get; }

        public void Send(string command, string path, byte[]? content, bool canDelay = false)
        {
            writer.WriteText("command=" + command);
            if (path.Length > 0)
            {
                writer.WriteText("pathname=" + path);
            }

            if (canDelay)
            {
                writer.WriteText("can-delay=1");
            }

            writer.WriteFlush();
            if (content is not null)
            {
                writer.WriteContent(content);
                writer.WriteFlush();
            }

            writer.Flush();
        }

        /// <summary>Asks for the paths that are ready until the filter says none are left, as git's finish_delayed_checkout does.</summary>
        public List<string> ListAvailable()
        {
            Send("list_available_blobs", string.Empty, content: null);
            var paths = Reader.ReadTextList()!;
            Assert.Equal(new[] { "status=success" }, Reader.ReadTextList());
            return paths.Select(p => p["pathname=".Length..]).ToList();
        }

        public (List<string> Status, byte[] Content) Reply()
        {
            var status = Reader.ReadTextList()!;
            if (!status.SequenceEqual(new[] { "status=success" }))
            {
                return (status, Array.Empty<byte>());
            }

            var content = new MemoryStream();
            new PktLineContentStream(Reader).CopyTo(content);
            var final = Reader.ReadTextList()!;
            return (final.Count > 0 ? final : status, content.ToArray());
        }

        public void Dispose()
        {
            toFilter.Dispose();
            Assert.True(server.Wait(TimeSpan.FromSeconds(30)), "the filter did not stop when git closed its input");
            server.GetAwaiter().GetResult();
            fromFilter.Dispose();
        }
    }

    private static readonly string[] AllCapabilities = { "capability=clean", "capability=smudge", "capability=delay" };

    [Fact]
    public void Delay_is_offered_only_with_a_budget_and_when_git_offers_it()
    {
        using (var git = new LiveGit(new RecordingHandler(), ThetaSettings.DefaultSmudgeAheadBytes, AllCapabilities))
        {
            Assert.Equal(new[] { "capability=clean", "capability=smudge", "capability=delay" }, git.Capabilities);
        }

        using (var git = new LiveGit(new RecordingHandler(), 0, AllCapabilities))
        {
            Assert.Equal(new[] { "capability=clean", "capability=smudge" }, git.Capabilities);
        }

        using (var git = new LiveGit(new RecordingHandler(), ThetaSettings.DefaultSmudgeAheadBytes, "capability=clean", "capability=smudge"))
        {
            Assert.Equal(new[] { "capability=clean", "capability=smudge" }, git.Capabilities);
        }
    }

    [Fact]
    public void Delayed_smudges_are_listed_once_each_and_served_on_the_second_request()
    {
        var handler = new RecordingHandler();
        var contents = Enumerable.Range(0, 20).ToDictionary(i => $"models/m{i}.safetensors", i => TestData.RandomBytes(i, 1_000 + (i * 997)));
        using var git = new LiveGit(handler, ThetaSettings.DefaultSmudgeAheadBytes, AllCapabilities);
        foreach (var (path, content) in contents)
        {
            git.Send("smudge", path, content, canDelay: true);
            Assert.Equal(new[] { "status=delayed" }, git.Reader.ReadTextList());
        }

        // A clean in the middle of a checkout (git re-reading a stat-dirty file) is served at once.
        git.Send("clean", "other.bin", new byte[] { 1, 2 });
        Assert.Equal("CLEAN:\u0001\u0002"u8.ToArray(), git.Reply().Content);

        var served = new List<string>();
        while (git.ListAvailable() is { Count: > 0 } ready)
        {
            foreach (var path in ready)
            {
                git.Send("smudge", path, Array.Empty<byte>());
                var (status, content) = git.Reply();
                Assert.Equal(new[] { "status=success" }, status);
                Assert.Equal(contents[path].Reverse().ToArray(), content);
                served.Add(path);
            }
        }

        Assert.Equal(contents.Keys.Order(), served.Order());
        Assert.Equal(contents.Count, handler.Calls.Count(c => c.StartsWith("smudge ", StringComparison.Ordinal)));

        // Each delayed path was announced to the handler once, in a batch, before its own smudge.
        Assert.Equal(contents.Keys.Order(), handler.Prefetches.SelectMany(p => p).Order());
        Assert.True(handler.Prefetches.Count < contents.Count, $"{handler.Prefetches.Count} batches for {contents.Count} files");
        foreach (var path in contents.Keys)
        {
            var batch = handler.Prefetches.FindIndex(p => p.Contains(path));
            var announced = handler.Calls.FindIndex(c => c == "prefetch " + handler.Prefetches[batch].Count);
            Assert.True(handler.Calls.IndexOf("smudge " + path) > announced);
        }

        Assert.False(handler.RanConcurrently);
        Assert.Empty(git.Log);
    }

    [Fact]
    public void When_objects_must_be_fetched_the_first_batch_waits_until_git_has_sent_every_delayed_smudge()
    {
        var handler = new RecordingHandler { Lacking = true };
        var paths = Enumerable.Range(0, 10).Select(i => $"m{i}.bin").ToList();
        using var git = new LiveGit(handler, ThetaSettings.DefaultSmudgeAheadBytes, AllCapabilities);
        foreach (var path in paths)
        {
            git.Send("smudge", path, new byte[] { 1, 2, 3 }, canDelay: true);
            Assert.Equal(new[] { "status=delayed" }, git.Reader.ReadTextList());

            // Slower than the worker: without waiting, the first file would be fetched alone.
            Thread.Sleep(20);
        }

        var listed = new List<string>();
        while (git.ListAvailable() is { Count: > 0 } ready)
        {
            foreach (var path in ready)
            {
                git.Send("smudge", path, Array.Empty<byte>());
                Assert.Equal(new byte[] { 3, 2, 1 }, git.Reply().Content);
                listed.Add(path);
            }
        }

        Assert.Equal(paths, listed.Order());
        Assert.Equal(paths, Assert.Single(handler.Prefetches).Order());
    }

    [Fact]
    public void A_delayed_smudge_that_fails_answers_status_error_when_git_asks_again()
    {
        using var git = new LiveGit(new RecordingHandler(), ThetaSettings.DefaultSmudgeAheadBytes, AllCapabilities);
        git.Send("smudge", "missing.bin", new byte[] { 1 }, canDelay: true);
        Assert.Equal(new[] { "status=delayed" }, git.Reader.ReadTextList());
        Assert.Equal(new[] { "missing.bin" }, git.ListAvailable());
        git.Send("smudge", "missing.bin", Array.Empty<byte>());
        Assert.Equal(new[] { "status=error" }, git.Reply().Status);
        Assert.Empty(git.ListAvailable());
        Assert.Contains(DiagnosticIds.MissingObject, Assert.Single(git.Log));
    }

    [Fact]
    public void A_delayed_path_asked_for_before_it_was_listed_is_waited_for_and_served_whole()
    {
        var content = TestData.RandomBytes(11, 3_000);
        using var git = new LiveGit(new RecordingHandler(), ThetaSettings.DefaultSmudgeAheadBytes, AllCapabilities);
        git.Send("smudge", "early.bin", content, canDelay: true);
        Assert.Equal(new[] { "status=delayed" }, git.Reader.ReadTextList());
        git.Send("smudge", "early.bin", Array.Empty<byte>());
        var (status, reply) = git.Reply();
        Assert.Equal(new[] { "status=success" }, status);
        Assert.Equal(content.Reverse().ToArray(), reply);
        Assert.Empty(git.ListAvailable());
    }

    [Fact]
    public void A_reply_too_large_to_hold_is_written_when_git_asks_again()
    {
        var handler = new RecordingHandler();
        var content = TestData.RandomBytes(7, 600);
        using var git = new LiveGit(handler, budget: 1_000, AllCapabilities);
        git.Send("smudge", "large.bin", content, canDelay: true);
        Assert.Equal(new[] { "status=delayed" }, git.Reader.ReadTextList());
        Assert.Equal(new[] { "large.bin" }, git.ListAvailable());
        git.Send("smudge", "large.bin", Array.Empty<byte>());
        var (status, reply) = git.Reply();
        Assert.Equal(new[] { "status=success" }, status);
        Assert.Equal(content.Reverse().ToArray(), reply);

        // Prepared once ahead (to learn its size), then written on the second request.
        Assert.Equal(new[] { "prefetch 1", "smudge large.bin", "smudge large.bin" }, handler.Calls);
    }

    [Fact]
    public void A_request_over_the_budget_is_not_delayed()
    {
        var handler = new RecordingHandler();
        var content = TestData.RandomBytes(8, 5_000);
        using var git = new LiveGit(handler, budget: 1_000, AllCapabilities);
        git.Send("smudge", "big.bin", content, canDelay: true);
        var (status, reply) = git.Reply();
        Assert.Equal(new[] { "status=success" }, status);
        Assert.Equal(content.Reverse().ToArray(), reply);
        Assert.Empty(git.ListAvailable());
    }

    [Fact]
    public void A_request_larger_than_a_held_request_may_be_is_served_whole_without_delay()
    {
        var content = TestData.RandomBytes(9, SmudgeAhead.MaxRequestBytes + 70_000);
        using var git = new LiveGit(new RecordingHandler(), 1L << 30, AllCapabilities);
        git.Send("smudge", "huge.bin", content, canDelay: true);
        var (status, reply) = git.Reply();
        Assert.Equal(new[] { "status=success" }, status);
        Assert.Equal(content.Reverse().ToArray(), reply);
    }
}
