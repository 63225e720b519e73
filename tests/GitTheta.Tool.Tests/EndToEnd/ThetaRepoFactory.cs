using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>A repository with git-theta installed and the given checkpoint paths tracked.</summary>
public static class ThetaRepoFactory
{
    public static GitRepo Create(Sandbox sandbox, params string[] tracked)
    {
        Sandbox.RequireGitLfs();
        var repo = sandbox.InitRepository();
        repo.ThetaOk("install");
        foreach (var path in tracked)
        {
            repo.ThetaOk("track", path);
        }

        return repo;
    }
}
