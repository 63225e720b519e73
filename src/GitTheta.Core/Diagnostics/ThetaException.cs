namespace GitTheta.Core.Diagnostics;

/// <summary>
/// An error a user can act on: a GT code, one line saying what went wrong, where, and what to do.
/// Anything else that escapes is a bug and is reported as GT2000.
/// </summary>
public class ThetaException : Exception
{
    /// <summary>An error with its GT code (docs/diagnostics/GTxxxx.md) and its one-line message.</summary>
    /// <param name="code">The diagnostic code, e.g. <c>GT2020</c>.</param>
    /// <param name="message">What went wrong, where, and what to do.</param>
    public ThetaException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>An error with its GT code and message, caused by <paramref name="inner"/>.</summary>
    /// <param name="code">The diagnostic code, e.g. <c>GT2023</c>.</param>
    /// <param name="message">What went wrong, where, and what to do.</param>
    /// <param name="inner">The exception that caused it.</param>
    public ThetaException(string code, string message, Exception inner)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The diagnostic code (<c>GT2xxx</c> for the engine and the tool); each has a page in docs/diagnostics/.</summary>
    public string Code { get; }

    /// <summary>The code and the message, as the tool prints them.</summary>
    public override string ToString() => $"{Code}: {Message}";
}
