namespace GitTheta.Core.Merges;

/// <summary>
/// Combines the operands of an element-wise strategy: <paramref name="inputs"/>[k] holds the next
/// <paramref name="count"/> elements of operand k in float64; the results go to the first <paramref name="count"/>
/// elements of <paramref name="output"/>. The engine calls it chunk by chunk, so a group is never held in float64 whole.
/// </summary>
internal delegate void ElementCombiner(double[][] inputs, int count, double[] output);
