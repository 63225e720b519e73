using Spectre.Console;
using Spectre.Console.Rendering;

namespace GitTheta.Tool.Merging;

/// <summary>The terminal the merge menu draws on: the real console, read through <see cref="MergeMenuInput"/>.</summary>
internal sealed class MergeMenuConsole : IAnsiConsole
{
    private readonly IAnsiConsole inner;

    public MergeMenuConsole(IAnsiConsole inner)
    {
        this.inner = inner;
        Input = new MergeMenuInput(inner.Input);
    }

    public Profile Profile => inner.Profile;

    public IAnsiConsoleCursor Cursor => inner.Cursor;

    public IAnsiConsoleInput Input { get; }

    public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

    public RenderPipeline Pipeline => inner.Pipeline;

    public void Clear(bool home) => inner.Clear(home);

    public void Write(IRenderable renderable) => inner.Write(renderable);

    public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);
}
