namespace GitTheta.Tool.Merging;

/// <summary>
/// The terminal's input ended (Ctrl-D, or the terminal went away) while the merge menu waited for an answer. It is
/// not an answer: the merge stops with GT2017 and writes nothing.
/// </summary>
internal sealed class MergeInputEndedException : Exception
{
    public MergeInputEndedException()
        : base("input ended (Ctrl-D) at the merge menu")
    {
    }

    public MergeInputEndedException(string message)
        : base(message)
    {
    }

    public MergeInputEndedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
