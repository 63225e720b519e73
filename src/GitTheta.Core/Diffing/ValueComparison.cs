namespace GitTheta.Core.Diffing;

/// <summary>How the two values of a modified group were compared, which decides what a diff can say about them.</summary>
internal enum ValueComparison
{
    /// <summary>Floating-point values, widened to float64: elements changed, max |Δ|, ‖Δ‖₂ and ‖Δ‖₂/‖before‖₂.</summary>
    Measured,

    /// <summary>Integer or bool values: how many elements differ. A distance between token ids or flags means nothing.</summary>
    Counted,

    /// <summary>Quantized blocks stored as raw bytes (GGUF): how many bytes differ, since no element has a value of its own.</summary>
    RawBytes,
}
