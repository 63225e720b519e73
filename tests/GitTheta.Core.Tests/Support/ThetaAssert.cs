using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tests.Support;

internal static class ThetaAssert
{
    /// <summary>Asserts that <paramref name="action"/> throws a <see cref="ThetaException"/> with <paramref name="code"/>.</summary>
    public static ThetaException Throws(string code, Action action)
    {
        var exception = Assert.Throws<ThetaException>(action);
        Assert.Equal(code, exception.Code);
        return exception;
    }
}
