// Trains a tiny classifier, commits its TorchSharp checkpoint with git-theta, fine-tunes only the last layer, commits
// again (only that layer's groups change), then loads the first revision back into a fresh model and checks that it
// computes exactly what the trained model computed. Usage: dotnet run -- <repository folder> (created if missing).
// Needs git, git-lfs and git-theta on PATH, and TorchSharp's native runtime (see tests/fixtures/torchsharp/README.md).
using System.Diagnostics;
using GitTheta.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

const string Checkpoint = "models/classifier.dat";
var repository = Path.GetFullPath(args.Length > 0 ? args[0] : "torchsharp-finetune-repo");
Directory.CreateDirectory(repository);
if (!Directory.Exists(Path.Combine(repository, ".git")))
{
    Git("init", "-q");
    Run("git-theta", "install");
    Run("git-theta", "track", Checkpoint);
    Git("add", ".gitattributes");
    Git("commit", "-q", "-m", "track the classifier with git-theta");
}

torch.manual_seed(7);
var inputs = torch.randn(256, 8);
var labels = (inputs[.., 0] + inputs[.., 1] * inputs[.., 2] > 0).to(ScalarType.Int64);
var probe = torch.randn(16, 8);

// 1. Train every layer, save into the tracked checkpoint, commit.
var model = Classifier.Create();
Train(model, model.parameters(), inputs, labels, steps: 40);
model.eval();
var trainedOutput = model.call(probe).detach().clone();
model.SaveThetaCheckpoint(repository, Checkpoint);
Git("add", Checkpoint);
Git("commit", "-q", "-m", "train the classifier");
Console.WriteLine($"trained: {model.state_dict().Count} parameter groups committed");

// 2. Fine-tune only the head on shifted data, save, commit: git-theta stores only the head's groups again (small
// groups travel inside the metadata, larger ones in the object store), which its diff of the two commits shows.
var head = model.named_parameters().Where(p => p.name.StartsWith("head.", StringComparison.Ordinal)).Select(p => p.parameter);
Train(model, head, inputs + 0.5f, labels, steps: 20);
model.SaveThetaCheckpoint(repository, Checkpoint);
Git("add", Checkpoint);
Git("commit", "-q", "-m", "fine-tune the head");
using var theta = GitTheta.Core.Repositories.ThetaRepository.Open(repository);
var diff = theta.OpenCheckpoint(Checkpoint).Diff("HEAD~1");
var changedGroups = diff.Changes.Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
Console.WriteLine($"fine-tuned the head: {diff.Modified} of {diff.GroupCount} groups changed ({string.Join(", ", changedGroups)})");

// 3. Load the first revision back into a fresh model: it computes exactly what the trained model computed.
torch.manual_seed(99);
var restored = Classifier.Create();
var result = restored.LoadThetaRevision(repository, Checkpoint, revision: "HEAD~1");
restored.eval();
var same = restored.call(probe).eq(trainedOutput).all().item<bool>();
var changed = !model.call(probe).eq(trainedOutput).all().item<bool>();
Console.WriteLine($"loaded HEAD~1 ({result.Commit[..7]}): {result.Loaded.Count} loaded, {result.Missing.Count} missing, {result.Unexpected.Count} unexpected; outputs {(same ? "match" : "DIFFER FROM")} the trained model");

var ok = changedGroups.SequenceEqual(new[] { "head.bias", "head.weight" }) && diff.Modified == 2 && result.Loaded.Count == model.state_dict().Count && result.Missing.Count == 0 && result.Unexpected.Count == 0 && same && changed;
Console.WriteLine(ok ? "ok" : "FAILED");
return ok ? 0 : 1;

static void Train(nn.Module<Tensor, Tensor> model, IEnumerable<TorchSharp.Modules.Parameter> parameters, Tensor inputs, Tensor labels, int steps)
{
    model.train();
    var optimizer = torch.optim.Adam(parameters, lr: 0.01);
    var loss = nn.CrossEntropyLoss();
    for (var step = 0; step < steps; step++)
    {
        optimizer.zero_grad();
        loss.call(model.call(inputs), labels).backward();
        optimizer.step();
    }

    model.eval();
}

void Git(params string[] arguments) => Run("git", arguments);

void Run(string command, params string[] arguments)
{
    var start = new ProcessStartInfo(command) { WorkingDirectory = repository, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}");
    }
}

internal static class Classifier
{
    public static nn.Module<Tensor, Tensor> Create() => nn.Sequential(
        ("encoder", nn.Linear(8, 32)),
        ("relu1", nn.ReLU()),
        ("hidden", nn.Linear(32, 32)),
        ("relu2", nn.ReLU()),
        ("head", nn.Linear(32, 2)));
}
