using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// Recognises a TorchScript archive (torch.jit.save). It is a zip like torch.save's, with a data.pkl and storages,
/// but it also holds compiled code (code/…, which PyTorch compresses, with .debug_pkl files) and constants.pkl, and
/// its data.pkl builds __torch__ classes. git-theta tracks state dicts only; saying so beats reporting the first
/// check such an archive fails ("compressed, rewritten by another tool").
/// </summary>
internal static class TorchScriptArchive
{
    private const string Advice = "which git-theta does not support; track its weights instead (torch.save(model.state_dict(), path)) or store the file with plain git-lfs";

    /// <summary>An entry only TorchScript writes, under the archive's top folder.</summary>
    public static bool IsEntry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var inside = slash < 0 ? name : name[(slash + 1)..];
        return inside.StartsWith("code/", StringComparison.Ordinal) || inside is "constants.pkl" or "bytecode.pkl"
            || inside.EndsWith(".debug_pkl", StringComparison.Ordinal);
    }

    /// <summary>A module of the classes TorchScript pickles (__torch__.…).</summary>
    public static bool IsModule(string module) => module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal);

    public static ThetaException NotSupported(string path, string entry) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{path}: is a TorchScript archive (torch.jit.save; it holds '{entry}'), {Advice}.");

    /// <param name="where">The pickle ("model.pt: data.pkl").</param>
    public static ThetaException ModuleNotSupported(string where, string global) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{where} builds the TorchScript class '{global}': the file is a TorchScript archive (torch.jit.save), {Advice}.");
}
