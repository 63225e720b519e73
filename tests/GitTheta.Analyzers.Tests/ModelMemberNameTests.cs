namespace GitTheta.Analyzers.Tests;

public sealed class ModelMemberNameTests
{
    [Theory]
    [InlineData("classifier.safetensors", "Classifier")]
    [InlineData("bert-base_v2.safetensors", "BertBaseV2")]
    [InlineData("bert.base.v2.onnx", "BertBaseV2")]
    [InlineData("my model (final).pt", "MyModelFinal")]
    [InlineData("XLMRoberta.onnx", "XLMRoberta")]
    [InlineData("3d-unet.pt", "_3dUnet")]
    [InlineData("2024_01_05.ckpt", "_20240105")]
    [InlineData("---.pt", "Model")]
    [InlineData("modèle-été.gguf", "ModèleÉté")]
    [InlineData("archive.tar", "Archive")]
    public void Name_is_pascal_case_of_the_file_name_without_its_model_extension(string fileName, string expected)
    {
        Assert.Equal(expected, ModelMemberName.FromFileName(fileName, ModelExtensions.Parse(null)));
    }
}
