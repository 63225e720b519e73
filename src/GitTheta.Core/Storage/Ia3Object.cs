namespace GitTheta.Core.Storage;

/// <summary>The tensor of an IA3 update's object (an <see cref="UpdateObject"/>): the scale <c>ia3</c> that broadcasts over the group.</summary>
internal static class Ia3Object
{
    /// <summary>The scale that broadcasts over the group.</summary>
    public const string Vector = "ia3";
}
