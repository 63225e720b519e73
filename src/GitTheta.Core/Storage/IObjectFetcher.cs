namespace GitTheta.Core.Storage;

/// <summary>Brings objects that are not in the local store from the remote store.</summary>
internal interface IObjectFetcher
{
    /// <summary>Tries to download every object; those that cannot be had are simply still missing afterwards.</summary>
    void Fetch(IReadOnlyCollection<ObjectRef> objects);
}
