using System.Globalization;

namespace GitTheta.Core.Merges;

/// <summary>A number a strategy takes (α, λ, a weight): its name, meaning, allowed range and default.</summary>
internal sealed record MergeParameter(string Name, string Symbol, string Description, double Default, double Minimum = double.NegativeInfinity, double Maximum = double.PositiveInfinity)
{
    /// <summary>Null when the value is allowed, else why not (for prompts and configuration errors alike).</summary>
    public string? Check(double value)
    {
        if (!double.IsFinite(value))
        {
            return $"{Name} must be a finite number";
        }

        if (value < Minimum || value > Maximum)
        {
            return double.IsFinite(Minimum) && double.IsFinite(Maximum) ? $"{Name} must be from {Format(Minimum)} to {Format(Maximum)}"
                : double.IsFinite(Minimum) ? $"{Name} must be at least {Format(Minimum)}"
                : $"{Name} must be at most {Format(Maximum)}";
        }

        return null;
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
