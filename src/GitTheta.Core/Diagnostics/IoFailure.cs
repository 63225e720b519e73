using System.Reflection;
using System.Text.RegularExpressions;

namespace GitTheta.Core.Diagnostics;

/// <summary>
/// Turns a failure of the operating system's I/O (disk full, too many open files, permission denied, a read-only or
/// failing disk) into GT2023, naming the cause, the path and what to do. It is used where exceptions become the
/// one-line error (the tool's command runner, the filter process's answer to one request): such a failure is the
/// machine's state, not a bug, so it must not read as GT2000 "unexpected error".
/// </summary>
internal static partial class IoFailure
{
    // errno values shared by Linux, macOS and the BSDs; .NET on Unix puts the raw errno in IOException.HResult.
    private const int EPERM = 1;
    private const int ENOENT = 2;
    private const int EIO = 5;
    private const int EACCES = 13;
    private const int ENOTDIR = 20;
    private const int EISDIR = 21;
    private const int ENFILE = 23;
    private const int EMFILE = 24;
    private const int EFBIG = 27;
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int EPIPE = 32;

    // Windows: HRESULT 0x8007xxxx wraps a Win32 error code.
    private const int Win32Facility = unchecked((int)0x80070000);
    private const int ErrorTooManyOpenFiles = 4;
    private const int ErrorAccessDenied = 5;
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;

    private static int Edquot => OperatingSystem.IsLinux() ? 122 : 69;

    /// <summary>
    /// GT2023 for an I/O failure (found through the wrappers that rethrow one), or null for any other exception.
    /// </summary>
    /// <param name="context">What was being worked on, e.g. the file git asked to filter; prefixed to the message.</param>
    public static ThetaException? Describe(Exception exception, string? context = null)
    {
        if (Unwrap(exception) is not { } failure)
        {
            return null;
        }

        var (cause, advice) = Classify(failure);
        var path = PathOf(failure);
        var where = path is null ? " on a stream without a path (standard output or a pipe)" : $" at '{path}'";
        var prefix = context is null ? string.Empty : context + ": ";
        return new ThetaException(DiagnosticIds.IoFailure, $"{prefix}{cause}{where}; {advice}.", exception);
    }

    /// <summary>The I/O exception itself, or the one an AggregateException, a TargetInvocationException or a rethrowing InvalidOperationException carries.</summary>
    private static Exception? Unwrap(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // EndOfStreamException is input that ends early (the readers report GT2003); FileLoadException is an
                // assembly that does not load (a broken install). Neither is the machine's I/O failing.
                case EndOfStreamException or FileLoadException:
                    return null;
                case IOException or UnauthorizedAccessException:
                    return current;
                case AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException or InvalidOperationException:
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    private static (string Cause, string Advice) Classify(Exception failure)
    {
        const string Again = "and run the command again";
        var code = failure.HResult;
        var win32 = (code & unchecked((int)0xFFFF0000)) == Win32Facility ? code & 0xFFFF : -1;
        if (code == ENOSPC || win32 is ErrorDiskFull or ErrorHandleDiskFull)
        {
            return ("the disk is full (ENOSPC)", $"free space on that file system (objects go under .git/lfs or lfs.storage, temporary files under TMPDIR) {Again}");
        }

        if (code == Edquot)
        {
            return ("the disk quota is exceeded (EDQUOT)", $"free space within your quota on that file system {Again}");
        }

        if (code is EMFILE or ENFILE || win32 == ErrorTooManyOpenFiles)
        {
            var name = code == ENFILE ? "ENFILE" : "EMFILE";
            return ($"too many open files ({name})", $"raise the limit (ulimit -n), or lower theta.maxConcurrency, {Again}");
        }

        if (code == EROFS)
        {
            return ("the file system is read-only (EROFS)", $"remount it writable or work in a writable clone, {Again}");
        }

        if (code == EIO)
        {
            return ("the disk reported an input/output error (EIO)", $"check the disk (dmesg, fsck) {Again}");
        }

        if (code == EFBIG)
        {
            return ("the file is larger than that file system allows (EFBIG)", $"use a file system that holds large files for the repository and TMPDIR, {Again}");
        }

        if (code == EPIPE)
        {
            return ("the other end of a pipe closed (EPIPE)", "git or the process reading git-theta's output stopped first; see its error above");
        }

        if (failure is UnauthorizedAccessException || code is EACCES or EPERM || win32 == ErrorAccessDenied)
        {
            return ($"permission denied ({(code == EPERM ? "EPERM" : "EACCES")})", $"check the owner and mode of that file and its folder {Again}");
        }

        if (failure is FileNotFoundException or DirectoryNotFoundException || code == ENOENT)
        {
            return ("a file or folder does not exist (ENOENT)", $"check that the path exists (another process may have removed it) {Again}");
        }

        if (code == ENOTDIR)
        {
            return ("a part of the path is a file, not a folder (ENOTDIR)", $"move that file out of the way {Again}");
        }

        if (code == EISDIR)
        {
            return ("the path is a folder, not a file (EISDIR)", $"move that folder out of the way {Again}");
        }

        if (failure is PathTooLongException)
        {
            return ("the path is too long (ENAMETOOLONG)", $"use a shorter path for the repository {Again}");
        }

        return ($"an I/O operation failed ({QuotedPath().Replace(failure.Message, string.Empty).Trim().TrimEnd('.')})", $"check the disk and the path {Again}");
    }

    /// <summary>The path the operating system named: .NET puts it at the end of the message ("… : '/path'"), or in FileName.</summary>
    private static string? PathOf(Exception failure)
    {
        if (failure is FileNotFoundException { FileName: { Length: > 0 } notFound })
        {
            return notFound;
        }

        var match = QuotedPath().Match(failure.Message);
        return match.Success ? match.Groups["path"].Value : null;
    }

    [GeneratedRegex(@"(?: : |the path )'(?<path>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPath();
}
