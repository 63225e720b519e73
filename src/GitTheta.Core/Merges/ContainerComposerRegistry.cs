namespace GitTheta.Core.Merges;

/// <summary>The formats for which a merge can lay out a new container; adding one is adding one class here.</summary>
internal sealed class ContainerComposerRegistry
{
    private readonly IReadOnlyList<IContainerComposer> composers;

    public ContainerComposerRegistry(IEnumerable<IContainerComposer> composers)
    {
        this.composers = composers.ToList();
    }

    public static ContainerComposerRegistry Default { get; } = new(new IContainerComposer[] { new SafetensorsContainerComposer() });

    public IContainerComposer? Find(string formatName) =>
        composers.FirstOrDefault(c => string.Equals(c.FormatName, formatName, StringComparison.OrdinalIgnoreCase));
}
