using Spectre.Console;

namespace GitTheta.Tool.Merging;

/// <summary>
/// The merge menu's keyboard. Spectre.Console's prompts read keys with the terminal in raw mode, where Ctrl-D is an
/// ordinary key they ignore (so a person who means "stop" would wait forever); here it, and an input that can no
/// longer be read, end the menu with <see cref="MergeInputEndedException"/>.
/// </summary>
internal sealed class MergeMenuInput : IAnsiConsoleInput
{
    // The terminal's end-of-file character (VEOF), which raw mode delivers as a key instead of as end of input.
    private const char EndOfTransmission = '\u0004';

    private readonly IAnsiConsoleInput inner;

    public MergeMenuInput(IAnsiConsoleInput inner)
    {
        this.inner = inner;
    }

    public bool IsKeyAvailable() => inner.IsKeyAvailable();

    public ConsoleKeyInfo? ReadKey(bool intercept)
    {
        ConsoleKeyInfo? key;
        try
        {
            key = inner.ReadKey(intercept);
        }
        catch (InvalidOperationException e)
        {
            // .NET refuses to read keys once standard input is no longer a terminal.
            throw new MergeInputEndedException("the terminal's input could no longer be read at the merge menu", e);
        }
        catch (IOException e)
        {
            throw new MergeInputEndedException("the terminal's input could no longer be read at the merge menu", e);
        }

        if (key is null || key.Value.KeyChar == EndOfTransmission || (key.Value.Key == ConsoleKey.D && key.Value.Modifiers == ConsoleModifiers.Control))
        {
            throw new MergeInputEndedException();
        }

        return key;
    }

    /// <summary>
    /// Blocks until a key arrives. Spectre's own version polls for an available key, and a prompt that gets no key
    /// back asks again at once: at end of input that loop never ends.
    /// </summary>
    public Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken) =>
        Task.FromResult(ReadKey(intercept));
}
