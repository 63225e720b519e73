// One scenario of GitTheta.TorchSharp per run, printing what happened for TorchSharpLoadTests to check.
// Usage: TorchSharpLoadProbe <scenario> <repository> <checkpoint> <revision> [<fixture file>]
using GitTheta.Core.Diagnostics;
using GitTheta.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

var (scenario, repository, checkpoint, revision) = (args[0], args[1], args[2], args[3]);
switch (scenario)
{
    case "same-as-module-load":
    {
        // LoadThetaRevision gives every tensor exactly the value TorchSharp's own Module.load reads from the file.
        var fromTheta = ConvNet.Create(classes: 10);
        var result = fromTheta.LoadThetaRevision(repository, checkpoint, revision);
        var fromFile = ConvNet.Create(classes: 10);
        fromFile.load(args[4]);
        var different = fromFile.state_dict().Where(e => !e.Value.eq(fromTheta.state_dict()[e.Key]).all().item<bool>()).Select(e => e.Key).ToList();
        Console.WriteLine($"loaded {result.Loaded.Count}, missing {result.Missing.Count}, unexpected {result.Unexpected.Count}, commit {result.Commit}");
        Console.WriteLine(different.Count == 0 ? "same as Module.load" : "differs from Module.load: " + string.Join(", ", different));
        break;
    }

    case "strict-mismatch":
    case "non-strict":
    case "shape-mismatch":
    {
        var module = scenario == "shape-mismatch"
            ? ConvNet.Create(classes: 12)
            : nn.Sequential(("features", nn.Sequential(("0", nn.Conv2d(3, 8, 3)))), ("extra", nn.Linear(4, 2)));
        var before = module.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        try
        {
            var result = module.LoadThetaRevision(repository, checkpoint, revision, strict: scenario != "non-strict");
            Console.WriteLine($"loaded: {string.Join(", ", result.Loaded)}");
            Console.WriteLine($"missing: {string.Join(", ", result.Missing)}");
            Console.WriteLine($"unexpected: {result.Unexpected.Count}");
        }
        catch (ThetaException e)
        {
            Console.WriteLine($"{e.Code}: {e.Message}");
        }

        var changed = module.state_dict().Where(e => !e.Value.eq(before[e.Key]).all().item<bool>()).Select(e => e.Key).ToList();
        Console.WriteLine(changed.Count == 0 ? "module unchanged" : "module changed: " + string.Join(", ", changed));
        break;
    }

    case "save":
    {
        // Load, change one layer, save into the work tree: the next git add stores only that layer.
        var module = ConvNet.Create(classes: 10);
        module.LoadThetaRevision(repository, checkpoint, revision);
        using (torch.no_grad())
        {
            module.get_parameter("classifier.weight")!.mul_(0.5f);
        }

        Console.WriteLine($"saved {module.SaveThetaCheckpoint(repository, checkpoint)}");
        break;
    }

    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 2;
}

return 0;

/// <summary>The architecture tests/fixtures/torchsharp/make wrote convnet.dat from.</summary>
internal static class ConvNet
{
    public static nn.Module<Tensor, Tensor> Create(int classes) => nn.Sequential(
        ("features", nn.Sequential(
            ("0", nn.Conv2d(3, 8, 3)),
            ("1", nn.BatchNorm2d(8)),
            ("2", nn.ReLU()),
            ("3", nn.Conv2d(8, 16, 3, bias: false)),
            ("4", nn.BatchNorm2d(16)))),
        ("flatten", nn.Flatten()),
        ("classifier", nn.Linear(16 * 4 * 4, classes)));
}
