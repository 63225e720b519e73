namespace GitTheta.Core.Storage;

/// <summary>
/// Names every object id something still needs. A source that cannot be sure it named them all must throw
/// rather than return, because whatever it leaves out may be deleted.
/// </summary>
internal interface IObjectReferenceSource
{
    /// <summary>Calls <paramref name="referenced"/> for each referenced oid (possibly more than once).</summary>
    void Scan(Action<string> referenced);
}
