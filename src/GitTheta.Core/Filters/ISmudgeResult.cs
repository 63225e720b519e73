namespace GitTheta.Core.Filters;

/// <summary>A prepared smudge reply: everything checked, ready to stream.</summary>
internal interface ISmudgeResult : IDisposable
{
    /// <summary>False when the input was not theta metadata and is replayed unchanged.</summary>
    bool IsCheckpoint { get; }

    void WriteTo(Stream output);
}
