using System.CommandLine;
using System.Text;

namespace GitTheta.Tool.Infrastructure;

/// <summary>
/// Renders the command tree as roff man pages (<c>git-theta.1</c>, <c>git-theta-&lt;command&gt;.1</c>), the pages
/// <c>git theta --help</c> opens: git turns it into <c>man git-theta</c>.
/// </summary>
internal static class ManPage
{
    public static string FileName(Command? command) => (command is null ? CommandTree.ToolName : $"{CommandTree.ToolName}-{command.Name}") + ".1";

    public static string Render(RootCommand root, Command? command)
    {
        var text = new StringBuilder();
        var name = command is null ? CommandTree.ToolName : $"{CommandTree.ToolName}-{command.Name}";
        text.AppendLine($".TH \"{name.ToUpperInvariant()}\" \"1\" \"\" \"git-theta {CommandTree.Version}\" \"Git Theta Manual\"");
        text.AppendLine(".SH NAME");
        text.AppendLine($"{Escape(name)} \\- {Escape(NameLine(root, command))}");
        text.AppendLine(".SH SYNOPSIS");
        if (command is null)
        {
            text.AppendLine(".B git theta");
            text.AppendLine("\\fI<command>\\fR [\\fI<options>\\fR]");
        }
        else
        {
            text.AppendLine($".B git theta {Escape(command.Name)}");
            text.AppendLine(string.Join(' ', new[] { "[\\fI<options>\\fR]" }.Concat(command.Arguments.Where(a => !a.Hidden).Select(Synopsis))));
        }

        text.AppendLine(".SH DESCRIPTION");
        text.AppendLine(Escape((command ?? root).Description ?? string.Empty));
        if (command is null)
        {
            text.AppendLine(".SH COMMANDS");
            foreach (var sub in CommandTree.Commands(root))
            {
                text.AppendLine(".TP");
                text.AppendLine($".B {Escape(sub.Name)}");
                text.AppendLine($"{Escape(sub.Description ?? string.Empty)} See \\fB{Escape(FileName(sub)[..^2])}\\fR(1).");
            }
        }
        else
        {
            AppendArguments(text, command);
            AppendOptions(text, command);
        }

        text.AppendLine(".SH SEE ALSO");
        text.AppendLine(command is null ? "\\fBgit\\fR(1), \\fBgit-lfs\\fR(1)" : "\\fBgit-theta\\fR(1)");
        text.AppendLine(".PP");
        text.AppendLine($"The command reference: {Escape(CommandsReference(command))}");
        return text.ToString();
    }

    /// <summary>Writes every page into <paramref name="directory"/> (a <c>man1</c> folder); returns how many.</summary>
    public static int WriteAll(RootCommand root, string directory)
    {
        Directory.CreateDirectory(directory);
        var pages = new Command?[] { null }.Concat(CommandTree.Commands(root)).ToList();
        foreach (var command in pages)
        {
            var path = Path.Combine(directory, FileName(command));
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, Render(root, command), new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }

        return pages.Count;
    }

    public static string CommandsReference(Command? command) =>
        CommandTree.CommandsReference + (command is null ? string.Empty : "#" + command.Name);

    /// <summary>The root's description starts with the tool's name, which the NAME section already shows.</summary>
    private static string NameLine(RootCommand root, Command? command)
    {
        var summary = CommandTree.Summary((command ?? root).Description);
        var prefix = CommandTree.ToolName + ": ";
        return summary.StartsWith(prefix, StringComparison.Ordinal) ? summary[prefix.Length..] : summary;
    }

    private static string Synopsis(Argument argument)
    {
        var many = argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty;
        var shown = $"\\fI<{Escape(argument.Name)}>{many}\\fR";
        return argument.Arity.MinimumNumberOfValues == 0 ? $"[{shown}]" : shown;
    }

    private static void AppendArguments(StringBuilder text, Command command)
    {
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        if (arguments.Count == 0)
        {
            return;
        }

        text.AppendLine(".SH ARGUMENTS");
        foreach (var argument in arguments)
        {
            text.AppendLine(".TP");
            text.AppendLine($"\\fI<{Escape(argument.Name)}>\\fR");
            text.AppendLine(Escape(argument.Description ?? string.Empty));
        }
    }

    private static void AppendOptions(StringBuilder text, Command command)
    {
        text.AppendLine(".SH OPTIONS");
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases).OrderBy(n => n.Length).Select(n => $"\\fB{Escape(n)}\\fR"));
            var value = option.ValueType == typeof(bool) ? string.Empty : $" \\fI<{Escape(option.HelpName ?? option.Name.TrimStart('-'))}>\\fR";
            text.AppendLine(".TP");
            text.AppendLine(names + value);
            text.AppendLine(Escape(option.Description ?? string.Empty));
        }

        text.AppendLine(".TP");
        text.AppendLine("\\fB\\-h\\fR, \\fB\\-\\-help\\fR");
        text.AppendLine("Show help and usage information.");
    }

    /// <summary>roff's special characters: a backslash, a hyphen that must stay a hyphen, a control character at the start of a line.</summary>
    private static string Escape(string value)
    {
        var escaped = value.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return string.Join('\n', escaped.Split('\n').Select(line => line.StartsWith('.') || line.StartsWith('\'') ? "\\&" + line : line));
    }
}
