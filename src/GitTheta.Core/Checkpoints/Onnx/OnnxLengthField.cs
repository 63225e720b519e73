namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// A protobuf length prefix that must be rewritten when a varint-encoded group inside it changes size:
/// where it is (a skeleton offset once stored), its original width and value, and which groups and which
/// other length prefixes (by index, contiguous) lie inside the bytes it counts.
/// </summary>
internal sealed record OnnxLengthField(long Position, int Width, ulong Value, int FirstGroup, int GroupCount, int FirstField, int FieldCount);
