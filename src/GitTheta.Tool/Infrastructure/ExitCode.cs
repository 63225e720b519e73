namespace GitTheta.Tool.Infrastructure;

/// <summary>Process exit codes; scripts may rely on them.</summary>
internal enum ExitCode
{
    Success = 0,
    Failure = 1,
    Usage = 2,
    NotARepository = 3,
    InvalidInput = 4,
    MissingObject = 5,
    Conflict = 6,
    GitFailed = 7,
    Internal = 70,

    /// <summary>GT2023: the operating system's I/O failed (disk full, too many open files, permission denied); sysexits' EX_IOERR.</summary>
    IoFailure = 74,
}
