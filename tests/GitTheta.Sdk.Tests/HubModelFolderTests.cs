using System.IO.Compression;
using System.Text;
using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// samples/HubModelFolder in a model folder's history as it comes from the Hugging Face Hub (git-lfs weights and
/// tokenizer, a plain config.json), then switched to git-theta: the library pins the folder at the git-lfs revision and
/// at the git-theta one, and packs it; a project that references the package gets every file, each as it was in its
/// revision, in its output.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class HubModelFolderTests : IDisposable
{
    private readonly Workspace workspace;

    public HubModelFolderTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void A_pinned_Hub_folder_is_packed_with_each_revision_s_bytes_and_reaches_a_consumer_s_output()
    {
        var (source, v1, v2) = HubHistory();
        var lib = Path.Combine(source, "lib");

        var feed = workspace.Path("feed");
        var pack = workspace.Dotnet(lib, "pack", "-o", feed, $"-p:PackageVersion={workspace.Sdk.Version}").EnsureSuccess();
        Assert.DoesNotContain("GT1004", pack.Output);
        Assert.DoesNotContain("GT0002", pack.Output);
        using (var package = ZipFile.OpenRead(Path.Combine(feed, $"Hub.Bert.{workspace.Sdk.Version}.nupkg")))
        {
            var entries = package.Entries.Select(e => e.FullName).Where(n => n.StartsWith("contentFiles/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            var expected = v1.Keys.Select(f => "bert-v1/" + f).Concat(v2.Keys.Select(f => "bert-v2/" + f)).Select(p => $"contentFiles/any/{ConsumerProject.TargetFramework}/{p}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, entries);
        }

        var consumer = workspace.Path("consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{ConsumerProject.TargetFramework}</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Hub.Bert" Version="{workspace.Sdk.Version}" />
              </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), "System.Console.WriteLine();\n");
        ConsumerProject.WriteNuGetConfig(consumer, workspace.Sdk, ("hub-feed", feed, "Hub.*"));
        workspace.Dotnet(consumer, "build").EnsureSuccess();

        var output = Path.Combine(consumer, "bin", "Debug", ConsumerProject.TargetFramework);
        foreach (var (folder, files) in new[] { ("bert-v1", v1), ("bert-v2", v2) })
        {
            Assert.Equal(files.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(Path.Combine(output, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach (var (name, bytes) in files)
            {
                Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, folder, name)));
            }
        }
    }

    /// <summary>
    /// v1: lib/models/bert as from the Hub (model.safetensors and tokenizer.json by git-lfs, config.json and notes.txt
    /// plain); v2: the weights switched to git-theta and changed, the tokenizer and config changed, notes.txt deleted,
    /// extra.txt added. The work tree is at v2 with notes.txt gone: v1's copy of it ships from the commit.
    /// </summary>
    private (string Source, Dictionary<string, byte[]> V1, Dictionary<string, byte[]> V2) HubHistory()
    {
        var source = workspace.Path("source");
        Directory.CreateDirectory(source);
        workspace.GitOk(source, "init", "-q");
        workspace.GitOk(source, "lfs", "install", "--local");
        workspace.GitOk(source, "lfs", "track", "*.safetensors", "tokenizer.json");
        var bert = Path.Combine(source, "lib", "models", "bert");
        Directory.CreateDirectory(bert);
        var v1 = new Dictionary<string, byte[]>
        {
            ["config.json"] = Encoding.UTF8.GetBytes("{\"hidden_size\":16}\n"),
            ["model.safetensors"] = SafetensorsFile.Create(groups: 3, seed: 1),
            ["notes.txt"] = Encoding.UTF8.GetBytes("only in v1\n"),
            ["tokenizer.json"] = Encoding.UTF8.GetBytes("{\"vocab\":{\"a\":0}}\n"),
        };
        Write(bert, v1);
        workspace.GitOk(source, "add", "-A");
        workspace.GitOk(source, "commit", "-q", "-m", "v1 from the Hub");
        workspace.GitOk(source, "tag", "v1");
        Assert.StartsWith("version https://git-lfs.github.com/spec/v1", workspace.GitOk(source, "show", "v1:lib/models/bert/model.safetensors"));

        workspace.GitOk(source, "lfs", "untrack", "*.safetensors");
        workspace.ThetaOk(source, "install");
        workspace.ThetaOk(source, "track", "*.safetensors");
        var v2 = new Dictionary<string, byte[]>
        {
            ["config.json"] = Encoding.UTF8.GetBytes("{\"hidden_size\":16,\"layers\":2}\n"),
            ["extra.txt"] = Encoding.UTF8.GetBytes("added in v2\n"),
            ["model.safetensors"] = SafetensorsFile.Create(groups: 3, seed: 1, changedGroups: 1),
            ["tokenizer.json"] = Encoding.UTF8.GetBytes("{\"vocab\":{\"a\":0,\"b\":1}}\n"),
        };
        File.Delete(Path.Combine(bert, "notes.txt"));
        Write(bert, v2);
        CopySample(Path.Combine(source, "lib"));
        File.WriteAllText(Path.Combine(source, ".gitignore"), "bin/\nobj/\n");
        workspace.GitOk(source, "add", "-A");
        workspace.GitOk(source, "commit", "-q", "-m", "v2: weights by git-theta");
        workspace.GitOk(source, "tag", "v2");
        Assert.StartsWith("{", workspace.GitOk(source, "show", "v2:lib/models/bert/model.safetensors"));
        return (source, v1, v2);
    }

    /// <summary>The sample's own files, except where the SDK comes from: this run's version, from this run's feed.</summary>
    private void CopySample(string project)
    {
        var sample = Path.Combine(workspace.Sdk.RepositoryRoot, "samples", "HubModelFolder");
        foreach (var file in new[] { "HubModelFolder.csproj", "global.json" })
        {
            File.Copy(Path.Combine(sample, file), Path.Combine(project, file));
        }

        var globalJson = Path.Combine(project, "global.json");
        File.WriteAllText(globalJson, File.ReadAllText(globalJson).Replace("\"GitTheta.Sdk\": \"1.0.0\"", $"\"GitTheta.Sdk\": \"{workspace.Sdk.Version}\"", StringComparison.Ordinal));
        Assert.Contains(workspace.Sdk.Version, File.ReadAllText(globalJson));
        ConsumerProject.WriteNuGetConfig(project, workspace.Sdk);
    }

    private static void Write(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
    }

    public void Dispose() => workspace.Dispose();
}
