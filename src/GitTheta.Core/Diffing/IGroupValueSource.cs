using GitTheta.Core.Metadata;

namespace GitTheta.Core.Diffing;

/// <summary>Where one side of a diff gets the full value of a group: the object store, or a checkpoint file.</summary>
internal interface IGroupValueSource : IDisposable
{
    /// <summary>Group names in the order reading them is cheapest (a file's order); null when every order costs the same.</summary>
    IReadOnlyList<string>? ReadingOrder { get; }

    /// <summary>
    /// Makes sure every value <see cref="Read"/> will be asked for can be had, all at once (one download for all missing
    /// objects), and fails before anything is read when one cannot.
    /// </summary>
    void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups);

    /// <summary>The group's value in its own dtype, exactly as a checkout would write it.</summary>
    byte[] Read(string name, ParameterEntry entry);
}
