using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Git;

/// <summary>Uploads objects to the remote store with the real git-lfs (<c>git lfs push --object-id</c>), in batches.</summary>
internal static class LfsPusher
{
    public const int BatchSize = 100;

    /// <param name="transferOutput">When set, git-lfs draws its own transfer meter ("Uploading LFS objects: 45% (1/2), ...") and its stderr is copied there as it comes.</param>
    public static int Push(string workTree, string remote, IReadOnlyList<ObjectRef> objects, LfsObjectStore store, Action<string> log, TextWriter? transferOutput = null)
    {
        if (!GitCli.Run(workTree, "lfs", "version").Succeeded)
        {
            throw new ThetaException(DiagnosticIds.GitLfsMissing, "git-lfs is not installed, so parameter objects cannot be uploaded; install it (https://git-lfs.com, or 'apt-get install git-lfs') and push again.");
        }

        // git lfs push reads from its own store; git lfs prune may have removed the transport names since the commit.
        var present = objects.Select(o => o.Oid).Distinct(StringComparer.Ordinal).Where(store.EnsureLfsCopy).ToList();
        var absent = objects.Select(o => o.Oid).Distinct(StringComparer.Ordinal).Count() - present.Count;
        if (absent > 0)
        {
            log($"git-theta: {absent} object(s) of the pushed range are not in the local store; assuming the remote has them.");
        }

        for (var i = 0; i < present.Count; i += BatchSize)
        {
            var batch = present.Skip(i).Take(BatchSize);
            var arguments = new List<string> { "lfs", "push", "--object-id", remote };
            arguments.AddRange(batch);
            var result = transferOutput is null ? GitCli.Run(workTree, arguments) : RunShowingProgress(workTree, arguments, transferOutput);
            if (!result.Succeeded)
            {
                var detail = (result.Error + "\n" + result.Text).Trim().Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? $"exit code {result.ExitCode}";
                throw new ThetaException(DiagnosticIds.PushFailed, $"uploading parameter objects to '{remote}' with git lfs failed: {detail.TrimEnd('.')}. Check the remote's LFS configuration (git lfs env) and push again.");
            }
        }

        return present.Count;
    }

    /// <summary>
    /// git-lfs draws its meter only on a terminal, and <c>git lfs push</c> draws it on stdout; both streams are pipes here
    /// (the last line names a failure), so GIT_LFS_FORCE_PROGRESS asks for the meter anyway and every chunk of either
    /// stream is copied on as it arrives, <c>\r</c> included.
    /// </summary>
    private static GitResult RunShowingProgress(string workTree, IEnumerable<string> arguments, TextWriter transferOutput)
    {
        using var process = GitCli.Start(workTree, arguments, new Dictionary<string, string?> { ["GIT_LFS_FORCE_PROGRESS"] = "1" });
        process.StandardInput.Close();
        var gate = new object();
        var lastWritten = '\n';
        Task<string> Copy(StreamReader reader) => Task.Run(() =>
        {
            var all = new System.Text.StringBuilder();
            var chunk = new char[4096];
            int n;
            while ((n = reader.Read(chunk, 0, chunk.Length)) > 0)
            {
                all.Append(chunk, 0, n);
                lock (gate)
                {
                    transferOutput.Write(chunk, 0, n);
                    transferOutput.Flush();
                    lastWritten = chunk[n - 1];
                }
            }

            return all.ToString();
        });

        var stdout = Copy(process.StandardOutput);
        var stderr = Copy(process.StandardError);
        var output = stdout.GetAwaiter().GetResult();
        var error = stderr.GetAwaiter().GetResult();
        process.WaitForExit();
        if (lastWritten != '\n')
        {
            // The meter ends with \r: what is printed next must not overwrite it.
            transferOutput.Write('\n');
        }

        return new GitResult(process.ExitCode, System.Text.Encoding.UTF8.GetBytes(output), error);
    }
}
