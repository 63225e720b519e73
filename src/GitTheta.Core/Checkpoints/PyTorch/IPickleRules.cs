namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// What a restricted <see cref="PickleMachine"/> may do beyond building plain values. Anything a rule
/// does not recognise is refused with an error; nothing is ever imported or executed.
/// </summary>
internal interface IPickleRules
{
    /// <summary>The value standing for a global (GLOBAL, STACK_GLOBAL), or an error when it is not allowed.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>REDUCE: the result of "calling" an allowed global.</summary>
    object? Call(object? callable, PickleTuple arguments);

    /// <summary>BINPERSID: the object a persistent id stands for.</summary>
    object PersistentLoad(object? id);

    /// <summary>BUILD: apply state to an object.</summary>
    void Build(object? target, object? state);
}
