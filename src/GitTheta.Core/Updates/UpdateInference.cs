namespace GitTheta.Core.Updates;

/// <summary>What inferring an incremental update gave: the update and the value it rebuilds, or the reason to store the group dense.</summary>
internal sealed class UpdateInference
{
    private UpdateInference(UpdateTensors? update, byte[]? value, string? declined)
    {
        Update = update;
        Value = value;
        Declined = declined;
    }

    public UpdateTensors? Update { get; }

    /// <summary>The value a checkout rebuilds from the update (the base with the update applied), in the group's dtype.</summary>
    public byte[]? Value { get; }

    /// <summary>Why the type does not store this change, as a phrase ("rank 40 factors would not be smaller than the value").</summary>
    public string? Declined { get; }

    public static UpdateInference Stored(UpdateTensors update, byte[] value) => new(update, value, null);

    public static UpdateInference Decline(string reason) => new(null, null, reason);
}
