namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>
/// Every test that builds against the packed SDK is in this one collection: the package is packed once, and the
/// builds run one at a time (in parallel they would only fight over two cores).
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackedSdkCollection : ICollectionFixture<PackedSdk>
{
    public const string Name = "packed GitTheta.Sdk";
}
