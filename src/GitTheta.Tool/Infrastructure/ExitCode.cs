namespace GitTheta.Tool.Infrastructure;

/// <summary>Process exit codes; scripts may rely on them.</summary>
public enum ExitCode
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
}
