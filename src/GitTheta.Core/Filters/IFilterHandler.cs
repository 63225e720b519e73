namespace GitTheta.Core.Filters;

/// <summary>What the filter process does with each request.</summary>
internal interface IFilterHandler
{
    byte[] Clean(Stream content, string path);

    ISmudgeResult Smudge(Stream content, string path);
}
