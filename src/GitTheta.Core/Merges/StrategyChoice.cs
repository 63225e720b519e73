using System.Globalization;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Merges;

/// <summary>
/// A strategy with its arguments, as a user writes it anywhere a strategy is named:
/// <c>ours</c>, <c>average</c>, <c>average:alpha=0.3</c>, <c>average-all:alpha=0.5,beta=0.25</c>, <c>task-arithmetic:lambda=0.8</c>.
/// </summary>
internal sealed record StrategyChoice(IMergeStrategy Strategy, MergeArguments Arguments)
{
    /// <summary>The strategy with every parameter at its default.</summary>
    public static StrategyChoice WithDefaults(IMergeStrategy strategy) =>
        new(strategy, new MergeArguments(strategy.Parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal)));

    /// <summary>Parses a strategy specification; <paramref name="source"/> names where it came from, for the error.</summary>
    public static StrategyChoice Parse(string specification, MergeStrategyRegistry registry, string source)
    {
        var text = specification.Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? text : text[..colon]).Trim();
        var strategy = registry.Find(name) ?? throw Invalid(source, specification, $"there is no merge strategy '{name}' (known: {string.Join(", ", registry.Names)})");
        var values = strategy.Parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (var assignment in text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                var key = equals < 0 ? assignment : assignment[..equals].Trim();
                var parameter = strategy.Parameters.FirstOrDefault(p => p.Name == key || p.Symbol == key)
                    ?? throw Invalid(source, specification, strategy.Parameters.Count == 0
                        ? $"strategy '{strategy.Name}' takes no arguments"
                        : $"strategy '{strategy.Name}' has no argument '{key}' (it takes {string.Join(", ", strategy.Parameters.Select(p => p.Name))})");
                if (equals < 0 || !double.TryParse(assignment[(equals + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw Invalid(source, specification, $"'{assignment}' is not <argument>=<number>");
                }

                if (parameter.Check(value) is { } problem)
                {
                    throw Invalid(source, specification, problem);
                }

                values[parameter.Name] = value;
            }
        }

        var arguments = new MergeArguments(values);
        if (strategy.CheckArguments(arguments) is { } error)
        {
            throw Invalid(source, specification, error);
        }

        return new StrategyChoice(strategy, arguments);
    }

    /// <summary>The specification that parses back to this choice (arguments always spelled out).</summary>
    public override string ToString() =>
        Strategy.Parameters.Count == 0
            ? Strategy.Name
            : Strategy.Name + ":" + string.Join(",", Strategy.Parameters.Select(p => $"{p.Name}={MergeParameter.Format(Arguments[p.Name])}"));

    private static ThetaException Invalid(string source, string specification, string problem) =>
        new(DiagnosticIds.InvalidConfiguration, $"{source}: '{specification}' is not a valid merge strategy: {problem}. Write <strategy> or <strategy>:<argument>=<number>,…, for example average:alpha=0.5; see docs/merging.md.");
}
