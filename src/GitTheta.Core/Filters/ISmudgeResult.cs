namespace GitTheta.Core.Filters;

/// <summary>A prepared smudge reply: everything checked, ready to stream.</summary>
internal interface ISmudgeResult : IDisposable
{
    /// <summary>False when the input was not theta metadata and is replayed unchanged.</summary>
    bool IsCheckpoint { get; }

    void WriteTo(Stream output);

    /// <summary>About how many bytes <see cref="WriteTo"/> writes, when known before writing (for progress; never trusted for correctness).</summary>
    long? EstimatedLength => null;
}
