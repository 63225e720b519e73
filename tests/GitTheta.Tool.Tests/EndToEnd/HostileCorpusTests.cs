using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>The committed corpus is what its committed generator writes, covers every format, and stays small.</summary>
public sealed class HostileCorpusTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void The_generator_rewrites_the_committed_corpus_byte_for_byte()
    {
        var output = sandbox.Path("regenerated");
        var run = sandbox.Run("/usr/bin/python3", new[] { Path.Combine(HostileCorpus.Root, "make_hostile.py"), "--out", output }, sandbox.Root);
        Assert.True(run.ExitCode == 0, $"make_hostile.py failed:\n{run.Error}");

        var committed = Files(HostileCorpus.Root).Where(f => f != "make_hostile.py").ToList();
        Assert.Equal(committed, Files(output));
        Assert.All(committed, f => Assert.True(
            File.ReadAllBytes(Path.Combine(HostileCorpus.Root, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, f))),
            $"{f} differs from what make_hostile.py writes: run /usr/bin/python3 tests/fixtures/hostile/make_hostile.py"));
    }

    [Fact]
    public void Every_format_has_cases_every_case_has_its_file_and_the_corpus_stays_small()
    {
        foreach (var format in new[] { "safetensors", "pytorch", "onnx", "gguf", "metadata" })
        {
            Assert.True(HostileCorpus.Cases.Count(c => c.Format == format) >= 8, $"fewer than 8 {format} cases");
        }

        Assert.All(HostileCorpus.Cases, c => Assert.True(File.Exists(Path.Combine(HostileCorpus.Root, c.File)), $"{c.Name}: {c.File} missing"));
        Assert.All(HostileCorpus.Cases, c => Assert.Matches("^GT2[0-9]{3}$", c.Code));
        Assert.Equal(HostileCorpus.Cases.Count, HostileCorpus.Cases.Select(c => c.Name).Distinct().Count());
        var bytes = Directory.EnumerateFiles(HostileCorpus.Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < 4L << 20, $"the corpus holds {bytes} bytes: huge claims belong in headers that lie, not in huge files");
    }

    private static List<string> Files(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(root, f))
        .Order(StringComparer.Ordinal)
        .ToList();
}
