using System.CommandLine;
using System.Text;

namespace GitTheta.Tool.Infrastructure;

/// <summary>Shell completion scripts rendered from the command tree: commands first, then each command's options, then files.</summary>
internal static class CompletionScript
{
    public static readonly IReadOnlyList<string> Shells = new[] { "bash", "zsh", "pwsh" };

    public static string Render(RootCommand root, string shell) => shell switch
    {
        "bash" => Bash(root),
        "zsh" => Zsh(root),
        _ => PowerShell(root),
    };

    // git's own bash completion calls _git_theta for `git theta <TAB>`; `complete` covers `git-theta <TAB>`.
    private static string Bash(RootCommand root)
    {
        var text = new StringBuilder();
        text.AppendLine("# git-theta completion for bash: source it, e.g. from ~/.bashrc: source <(git theta completion bash)");
        text.AppendLine("_git_theta() {");
        text.AppendLine("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" sub=\"\" i");
        text.AppendLine("    for ((i = 1; i < COMP_CWORD; i++)); do");
        text.AppendLine("        case \"${COMP_WORDS[i]}\" in");
        text.AppendLine("            theta) [ \"$i\" -eq 1 ] && [ \"${COMP_WORDS[0]}\" = git ] && continue; sub=theta; break ;;");
        text.AppendLine("            -*) ;;");
        text.AppendLine("            *) sub=\"${COMP_WORDS[i]}\"; break ;;");
        text.AppendLine("        esac");
        text.AppendLine("    done");
        text.AppendLine("    local words");
        text.AppendLine("    case \"$sub\" in");
        text.AppendLine($"        \"\") words=\"{string.Join(' ', CommandTree.Commands(root).Select(c => c.Name))}\" ;;");
        foreach (var command in CommandTree.Commands(root))
        {
            text.AppendLine($"        {command.Name}) words=\"{string.Join(' ', CommandTree.OptionNames(command))}\" ;;");
        }

        text.AppendLine("    esac");
        text.AppendLine("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        text.AppendLine("    if [ -n \"$sub\" ] && [[ \"$cur\" != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi");
        text.AppendLine("}");
        text.AppendLine("complete -o default -F _git_theta git-theta");
        return text.ToString();
    }

    private static string Zsh(RootCommand root)
    {
        var text = new StringBuilder();
        text.AppendLine("#compdef git-theta");
        text.AppendLine("# git-theta completion for zsh: save as _git-theta in a folder of $fpath, or: source <(git theta completion zsh)");
        text.AppendLine("# For `git theta <TAB>`: zstyle ':completion:*:*:git:*' user-commands theta:'version control for checkpoints'");
        text.AppendLine("_git-theta() {");
        text.AppendLine("    local -a commands");
        text.AppendLine("    commands=(");
        foreach (var command in CommandTree.Commands(root))
        {
            text.AppendLine($"        '{command.Name}:{Quote(CommandTree.Summary(command.Description))}'");
        }

        text.AppendLine("    )");
        text.AppendLine("    if (( CURRENT == 2 )); then");
        text.AppendLine("        _describe 'git-theta command' commands");
        text.AppendLine("        return");
        text.AppendLine("    fi");
        text.AppendLine("    case $words[2] in");
        foreach (var command in CommandTree.Commands(root))
        {
            text.AppendLine($"        {command.Name}) compadd -- {string.Join(' ', CommandTree.OptionNames(command))} ;;");
        }

        text.AppendLine("    esac");
        text.AppendLine("    _files");
        text.AppendLine("}");
        text.AppendLine("compdef _git-theta git-theta");
        return text.ToString();
    }

    private static string PowerShell(RootCommand root)
    {
        var text = new StringBuilder();
        text.AppendLine("# git-theta completion for PowerShell: git theta completion pwsh | Out-String | Invoke-Expression");
        text.AppendLine("$gitThetaOptions = @{");
        foreach (var command in CommandTree.Commands(root))
        {
            text.AppendLine($"    '{command.Name}' = @({string.Join(", ", CommandTree.OptionNames(command).Select(o => $"'{o}'"))})");
        }

        text.AppendLine("}");
        text.AppendLine("Register-ArgumentCompleter -Native -CommandName git-theta -ScriptBlock {");
        text.AppendLine("    param($wordToComplete, $commandAst, $cursorPosition)");
        text.AppendLine("    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })");
        text.AppendLine("    if ($words.Count -eq 0 -or ($words.Count -eq 1 -and $wordToComplete)) { $candidates = $gitThetaOptions.Keys }");
        text.AppendLine("    else { $candidates = $gitThetaOptions[$words[0]] }");
        text.AppendLine("    $candidates | Where-Object { $_ -like \"$wordToComplete*\" } | Sort-Object | ForEach-Object {");
        text.AppendLine("        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)");
        text.AppendLine("    }");
        text.AppendLine("}");
        return text.ToString();
    }

    private static string Quote(string text) => text.Replace("'", "'\\''", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);
}
