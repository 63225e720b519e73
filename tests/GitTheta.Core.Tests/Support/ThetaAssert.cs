using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tests.Support;

internal static class ThetaAssert
{
    /// <summary>Asserts that <paramref name="action"/> throws a <see cref="ThetaException"/> with <paramref name="code"/>.</summary>
    public static ThetaException Throws(string code, Action action)
    {
        var exception = Assert.Throws<ThetaException>(action);
        Assert.True(code == exception.Code, $"expected {code}, got {exception}");
        return exception;
    }
}
