namespace GitTheta.Core.Diagnostics;

/// <summary>
/// An error a user can act on: a GT code, one line saying what went wrong, where, and what to do.
/// Anything else that escapes is a bug and is reported as GT2000.
/// </summary>
public class ThetaException : Exception
{
    public ThetaException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public ThetaException(string code, string message, Exception inner)
        : base(message, inner)
    {
        Code = code;
    }

    public string Code { get; }

    public override string ToString() => $"{Code}: {Message}";
}
