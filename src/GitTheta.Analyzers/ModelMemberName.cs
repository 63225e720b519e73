using System.Globalization;
using System.Text;

namespace GitTheta.Analyzers;

/// <summary>
/// The name of the generated <c>ThetaModels</c> member for a model whose item carries no GitThetaModelName:
/// PascalCase of the file name without its model extension, where every character that is not a letter, digit or
/// combining mark (including '_') separates words and is dropped, and "_" goes before a leading digit. "bert-base_v2.safetensors" becomes "BertBaseV2", "3d-unet.onnx" "_3dUnet".
/// </summary>
internal static class ModelMemberName
{
    private const string Fallback = "Model";

    public static string FromFileName(string fileName, ModelExtensions extensions)
    {
        var extension = extensions.Match(fileName);
        var stem = extension is not null
            ? fileName.Substring(0, fileName.Length - extension.Length)
            : StemByLastDot(fileName);

        var name = new StringBuilder(stem.Length + 1);
        var startsWord = true;
        foreach (var character in stem)
        {
            if (!IsIdentifierPart(character))
            {
                startsWord = true;
                continue;
            }

            name.Append(startsWord ? char.ToUpperInvariant(character) : character);
            startsWord = false;
        }

        if (name.Length == 0)
        {
            return Fallback;
        }

        if (char.IsDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }

    private static string StemByLastDot(string fileName)
    {
        var dot = fileName.LastIndexOf('.');
        return dot > 0 ? fileName.Substring(0, dot) : fileName;
    }

    private static bool IsIdentifierPart(char character)
    {
        switch (char.GetUnicodeCategory(character))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
                return true;
            default:
                return false;
        }
    }
}
