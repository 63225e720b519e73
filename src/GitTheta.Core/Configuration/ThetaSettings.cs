using System.Globalization;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Configuration;

/// <summary>
/// Tunables of the engine. Each comes from the environment (GIT_THETA_*), else git config (theta.*), else its default.
/// </summary>
internal sealed record ThetaSettings
{
    public const string DefaultUpdateType = "dense";

    public double Atol { get; init; } = 1e-8;

    public double Rtol { get; init; } = 1e-5;

    public int LshSignatureSize { get; init; } = 16;

    /// <summary>Between <see cref="Atol"/> and this LSH distance the old value is loaded and compared with allclose.</summary>
    public double LshThreshold { get; init; } = 1e-6;

    public int LshPoolSize { get; init; } = 16_384;

    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    public string UpdateType { get; init; } = DefaultUpdateType;

    /// <summary>True when <see cref="UpdateType"/> came from GIT_THETA_UPDATE_TYPE, which outranks the theta-update attribute.</summary>
    public bool UpdateTypeFromEnvironment { get; init; }

    /// <summary>Side-loaded update data (GIT_THETA_UPDATE_DATA, set by git theta add --update-data; environment only).</summary>
    public string? UpdateDataPath { get; init; }

    /// <summary>Incremental updates deeper than this are stored dense instead; 0 stores every group dense (squash).</summary>
    public int MaxChainDepth { get; init; } = 16;

    /// <summary>A sparse update keeps the elements whose change is larger than this.</summary>
    public double SparseThreshold { get; init; } = 1e-12;

    /// <summary>The rank of inferred low-rank updates; null chooses it from the singular values.</summary>
    public int? LowRankRank { get; init; }

    /// <summary>Singular values at or below this count as zero for inferred low-rank updates; null estimates the rounding noise of the group's dtype.</summary>
    public double? LowRankThreshold { get; init; }

    /// <summary>The dimensions an inferred IA3 vector is shared along (numpy's broadcast dimensions); null tries all but the first, then all but the last.</summary>
    public IReadOnlyList<int>? Ia3BroadcastDims { get; init; }

    /// <summary>
    /// The diff driver also measures each modified group (what <c>git theta diff --stat</c> does): git cannot pass the
    /// driver a flag, so this is how <c>git diff</c> asks for the numbers.
    /// </summary>
    public bool DiffStat { get; init; }

    /// <summary>
    /// Groups larger than this many bytes are cleaned and smudged in chunks instead of as one array, and stored dense.
    /// Arrays stop at 2 GiB, so that is the default; a lower value caps the memory a clean or smudge needs for big
    /// groups (at the price of storing them dense), and lets tests take the chunked path with small groups.
    /// </summary>
    public long LargeGroupBytes { get; init; } = Array.MaxLength;

    /// <summary>
    /// Dense groups larger than this many bytes are also cleaned and smudged in chunks of at most this size, when that
    /// changes nothing in what is stored (the update type is dense, no update data names the group, and its previous
    /// value is dense): memory then no longer follows the largest group. Groups that an update type or update data
    /// needs whole are still held in memory up to <see cref="LargeGroupBytes"/>. 16 MiB by default: the 1 GiB bench
    /// cleaned at 109 MiB instead of 305 MiB and was faster in every step (large arrays cost more than chunks).
    /// </summary>
    public long StreamGroupBytes { get; init; } = 16L << 20;

    /// <summary>The default of <see cref="InlineObjectBytes"/>: one filesystem block, below which a file in the store costs more than its bytes.</summary>
    public const int DefaultInlineObjectBytes = 4096;

    /// <summary>The largest <see cref="InlineObjectBytes"/>, and the largest inline object metadata may carry: metadata is read whole, and git diffs it as text.</summary>
    public const int MaxInlineObjectBytes = 64 * 1024;

    /// <summary>
    /// Objects up to this many bytes travel inside the metadata, in git, instead of the object store (see
    /// <c>InlineObjects</c>); 0 stores every object.
    /// </summary>
    public int InlineObjectBytes { get; init; } = DefaultInlineObjectBytes;

    /// <summary>
    /// The memory a filter process may spend on smudges it prepares ahead while git writes other files (git's
    /// <c>delay</c> capability, offered on checkout and clone); 0 turns it off. Large checkpoints are never held, only
    /// replies up to a quarter of this each.
    /// </summary>
    public long SmudgeAheadBytes { get; init; } = DefaultSmudgeAheadBytes;

    /// <summary>The default of <see cref="SmudgeAheadBytes"/>: well above the replies of a few hundred adapters, small next to what git itself holds to check out one large checkpoint.</summary>
    public const long DefaultSmudgeAheadBytes = 64L << 20;

    /// <summary>
    /// Whether a clean hands the objects it writes to the disk as it goes and lets the kernel drop the pages the disk
    /// already has (Linux; see <c>IO.WrittenPages</c>), instead of leaving gigabytes of new objects in the page cache.
    /// </summary>
    public bool WriteBehind { get; init; } = true;

    /// <summary>Bucket width of the E2LSH hash: git-theta's rule, the same as atol.</summary>
    public double LshBucketWidth => Atol;

    public static ThetaSettings Load(Func<string, string?> gitConfig) => Load(Environment.GetEnvironmentVariable, gitConfig);

    public static ThetaSettings Load(Func<string, string?> environment, Func<string, string?> gitConfig)
    {
        // Each value remembers where it came from, so an error names the variable or key to fix.
        (string? Value, string Source) Get(string env, string config) =>
            environment(env) is { Length: > 0 } e ? (e, env) : (gitConfig(config), "git config " + config);

        var defaults = new ThetaSettings();
        var updateType = Get("GIT_THETA_UPDATE_TYPE", "theta.updateType").Value;
        var rank = Get("GIT_THETA_RANK", "theta.rank");
        var lowRankThreshold = Get("GIT_THETA_LOW_RANK_THRESHOLD", "theta.lowRankThreshold");
        return new ThetaSettings
        {
            Atol = ParseDouble(Get("GIT_THETA_PARAMETER_ATOL", "theta.parameterAtol"), defaults.Atol, positive: true),
            Rtol = ParseDouble(Get("GIT_THETA_PARAMETER_RTOL", "theta.parameterRtol"), defaults.Rtol, positive: false),
            LshSignatureSize = ParseInt(Get("GIT_THETA_LSH_SIGNATURE_SIZE", "theta.lshSignatureSize"), defaults.LshSignatureSize, 1, 1024),
            LshThreshold = ParseDouble(Get("GIT_THETA_LSH_THRESHOLD", "theta.lshThreshold"), defaults.LshThreshold, positive: false),
            LshPoolSize = ParseInt(Get("GIT_THETA_LSH_POOL_SIZE", "theta.lshPoolSize"), defaults.LshPoolSize, 4096, 1 << 24),
            MaxConcurrency = ParseInt(Get("GIT_THETA_MAX_CONCURRENCY", "theta.maxConcurrency"), defaults.MaxConcurrency, 1, 1024),
            UpdateType = updateType is { Length: > 0 } ? updateType : DefaultUpdateType,
            UpdateTypeFromEnvironment = environment("GIT_THETA_UPDATE_TYPE") is { Length: > 0 },
            UpdateDataPath = environment("GIT_THETA_UPDATE_DATA") is { Length: > 0 } data ? data : null,
            MaxChainDepth = ParseInt(Get("GIT_THETA_MAX_CHAIN_DEPTH", "theta.maxChainDepth"), defaults.MaxChainDepth, 0, 1024),
            SparseThreshold = ParseDouble(Get("GIT_THETA_SPARSE_THRESHOLD", "theta.sparseThreshold"), defaults.SparseThreshold, positive: false),
            LowRankRank = string.IsNullOrWhiteSpace(rank.Value) ? null : ParseInt(rank, 0, 1, 1 << 20),
            LowRankThreshold = string.IsNullOrWhiteSpace(lowRankThreshold.Value) ? null : ParseDouble(lowRankThreshold, 0, positive: false),
            Ia3BroadcastDims = ParseDimensions(Get("GIT_THETA_IA3_BROADCAST_DIMS", "theta.ia3BroadcastDims")),
            DiffStat = LoadDiffStat(environment, gitConfig),
            LargeGroupBytes = ParseSize(Get("GIT_THETA_LARGE_GROUP_BYTES", "theta.largeGroupBytes"), defaults.LargeGroupBytes, 1024, Array.MaxLength),
            StreamGroupBytes = ParseSize(Get("GIT_THETA_STREAM_GROUP_BYTES", "theta.streamGroupBytes"), defaults.StreamGroupBytes, 1024, Array.MaxLength),
            InlineObjectBytes = (int)ParseSize(Get("GIT_THETA_INLINE_OBJECT_BYTES", "theta.inlineObjectBytes"), defaults.InlineObjectBytes, 0, MaxInlineObjectBytes),
            SmudgeAheadBytes = ParseSize(Get("GIT_THETA_SMUDGE_AHEAD_BYTES", "theta.smudgeAheadBytes"), defaults.SmudgeAheadBytes, 0, 1L << 40),
            WriteBehind = ParseBool(Get("GIT_THETA_WRITE_BEHIND", "theta.writeBehind").Value, defaults.WriteBehind),
        };
    }

    /// <summary>
    /// <see cref="DiffStat"/> alone, for the diff driver: a metadata-only diff must not start failing because some
    /// unrelated setting (a tolerance, say) is invalid.
    /// </summary>
    public static bool LoadDiffStat(Func<string, string?> environment, Func<string, string?> gitConfig) =>
        ParseBool(environment("GIT_THETA_DIFF_STAT") is { Length: > 0 } value ? value : gitConfig("theta.diffStat"), defaultValue: false);

    /// <summary>git's and git-theta's boolean spelling: false/0/no/off are false, anything else set is true.</summary>
    public static bool ParseBool(string? value, bool defaultValue)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        return value.Trim().ToLowerInvariant() switch
        {
            "false" or "0" or "no" or "off" => false,
            _ => true,
        };
    }

    private static double ParseDouble((string? Value, string Source) setting, double defaultValue, bool positive)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || double.IsNaN(parsed) || double.IsInfinity(parsed)
            || parsed < 0 || (positive && parsed == 0))
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a valid {(positive ? "positive" : "non-negative")} number; unset it or give a value like 1e-8.");
        }

        return parsed;
    }

    /// <summary>A comma-separated list of dimensions, negative ones counting from the last (numpy's rule).</summary>
    private static IReadOnlyList<int>? ParseDimensions((string? Value, string Source) setting)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var dimensions = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dimension) || dimension is < -64 or > 63)
            {
                throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a comma-separated list of dimensions such as '1' or '0,2' (negative ones count from the last); unset it or fix it.");
            }

            dimensions.Add(dimension);
        }

        return dimensions;
    }

    /// <summary>A byte count, with git's optional k, m or g suffix (powers of 1024).</summary>
    private static long ParseSize((string? Value, string Source) setting, long defaultValue, long min, long max)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (!ByteCount.TryParse(value, out var bytes) || bytes > max || bytes < min)
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a size from {min} to {max} bytes (a number, optionally with k, m or g); unset it or fix it.");
        }

        return bytes;
    }

    private static int ParseInt((string? Value, string Source) setting, int defaultValue, int min, int max)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a whole number from {min} to {max}; unset it or fix it.");
        }

        return parsed;
    }
}
