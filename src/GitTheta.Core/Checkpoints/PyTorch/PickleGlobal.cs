namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A global a pickle named (GLOBAL / STACK_GLOBAL) and the rules allowed: never imported, only recognised.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}
