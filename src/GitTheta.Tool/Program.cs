using GitTheta.Tool.Infrastructure;

var root = CommandTree.Create();
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"git-theta: error {GitTheta.Core.Diagnostics.DiagnosticIds.InvalidArguments}: {error.Message} (see 'git theta help').");
    }

    return (int)ExitCode.Usage;
}

return parsed.Invoke();
