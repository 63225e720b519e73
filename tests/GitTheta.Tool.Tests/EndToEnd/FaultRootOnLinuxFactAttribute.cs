using System.Runtime.InteropServices;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A fact that needs root on Linux (it mounts a small tmpfs). Elsewhere it is reported as skipped, with the reason,
/// through xunit's explicit Skip; as root on Linux it always runs, and a mount that fails fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FaultRootOnLinuxFactAttribute : FactAttribute
{
    public FaultRootOnLinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (mount -t tmpfs)";
        }
        else if (geteuid() != 0)
        {
            Skip = "needs root to mount a small tmpfs (run the tests as root, as .ci/run does, to cover disk full)";
        }
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
