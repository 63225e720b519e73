using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Git;

/// <summary>Uploads objects to the remote store with the real git-lfs (<c>git lfs push --object-id</c>), in batches.</summary>
internal static class LfsPusher
{
    public const int BatchSize = 100;

    public static int Push(string workTree, string remote, IReadOnlyList<ObjectRef> objects, LfsObjectStore store, Action<string> log)
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
            var result = GitCli.Run(workTree, arguments);
            if (!result.Succeeded)
            {
                var detail = (result.Error + "\n" + result.Text).Trim().Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? $"exit code {result.ExitCode}";
                throw new ThetaException(DiagnosticIds.PushFailed, $"uploading parameter objects to '{remote}' with git lfs failed: {detail.TrimEnd('.')}. Check the remote's LFS configuration (git lfs env) and push again.");
            }
        }

        return present.Count;
    }
}
