using GitTheta.Core.Configuration;

namespace GitTheta.Core.Updates;

/// <summary>Which update type a clean of one path uses.</summary>
internal static class UpdateTypeSelection
{
    /// <summary>The gitattribute that sets a path's default update type (<c>theta-update=sparse</c>).</summary>
    public const string Attribute = "theta-update";

    /// <summary>
    /// GIT_THETA_UPDATE_TYPE (which <c>git theta add --update-type</c> sets) first, then the path's <c>theta-update</c>
    /// attribute, then git config theta.updateType, then dense: the most specific choice wins.
    /// </summary>
    public static string Resolve(ThetaSettings settings, string? attribute) =>
        settings.UpdateTypeFromEnvironment || string.IsNullOrEmpty(attribute) ? settings.UpdateType : attribute;
}
