namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>The field numbers of onnx.proto that git-theta reads, and the protobuf wire types.</summary>
internal static class OnnxFields
{
    public const int ModelGraph = 7;
    public const int GraphInitializer = 5;
    public const int TensorDims = 1;
    public const int TensorDataType = 2;
    public const int TensorSegment = 3;
    public const int TensorFloatData = 4;
    public const int TensorInt32Data = 5;
    public const int TensorInt64Data = 7;
    public const int TensorName = 8;
    public const int TensorRawData = 9;
    public const int TensorDoubleData = 10;
    public const int TensorUInt64Data = 11;
    public const int TensorExternalData = 13;
    public const int TensorDataLocation = 14;

    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLength = 2;
    public const int WireFixed32 = 5;
}
