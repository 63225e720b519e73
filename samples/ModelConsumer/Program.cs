using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using ModelConsumer;

// The build put the model beside this program and described it in the generated ThetaModels class.
var model = ThetaModels.Classifier.Path;
if (!File.Exists(model))
{
    Console.Error.WriteLine($"{model} is missing; build the project again.");
    return 1;
}

// A safetensors file starts with the length of its JSON header, which names every tensor with its shape.
using var file = File.OpenRead(model);
var prefix = new byte[8];
file.ReadExactly(prefix);
var header = new byte[checked((int)BinaryPrimitives.ReadUInt64LittleEndian(prefix))];
file.ReadExactly(header);
using var json = JsonDocument.Parse(header);
long parameters = 0;
var groups = 0;
foreach (var tensor in json.RootElement.EnumerateObject().Where(t => t.Name != "__metadata__"))
{
    groups++;
    parameters += tensor.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (product, dimension) => product * dimension.GetInt64());
}

var commit = ThetaModels.Classifier.Commit;
Console.WriteLine($"model:      {ThetaModels.Classifier.RelativePath}");
Console.WriteLine($"revision:   {ThetaModels.Classifier.Revision} (commit {commit[..Math.Min(12, commit.Length)]})");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters: {parameters} in {groups} groups"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes:      {file.Length}"));

// The file that shipped is the one the build described.
return parameters == ThetaModels.Classifier.ParameterCount && file.Length == ThetaModels.Classifier.Bytes ? 0 : 2;
