using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>
/// A huge pickle integer used as a dict key (issue 11, item 10): naming the group under it turned the integer into
/// text, quadratic in its length (25 s for 300 KB). Integers over <see cref="PickleMachine.MaxIntegerBytes"/> bytes
/// are refused as they are read.
/// </summary>
public class PickleIntegerBoundTests
{
    private const string Where = "m.pt: data.pkl";

    [Theory]
    [InlineData(PickleMachine.MaxIntegerBytes + 1)]
    [InlineData(300_000)]
    public void An_integer_longer_than_the_limit_is_GT2002_naming_its_size_and_where_it_is(int bytes)
    {
        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => TensorsUnder(Long4(bytes)));
        Assert.Equal(
            $"{Where} holds a {bytes}-byte integer at byte 4; git-theta reads integers of at most 1024 bytes. Save only tensors and small numbers, e.g. torch.save(model.state_dict(), path).",
            error.Message);
    }

    [Fact]
    public void An_integer_of_the_largest_size_read_names_the_group_under_it_in_decimal()
    {
        var key = Long4(PickleMachine.MaxIntegerBytes);
        var expected = new BigInteger(key.AsSpan(5), isUnsigned: false, isBigEndian: false).ToString(CultureInfo.InvariantCulture);
        var tensors = TensorsUnder(key);
        Assert.Equal(expected + "/w", Assert.Single(tensors).Name);
    }

    /// <summary>{key: {'w': tensor}} with <paramref name="key"/> the opcode of the outer key.</summary>
    private static IReadOnlyList<(string Name, TorchTensorView View)> TensorsUnder(byte[] key)
    {
        var pickle = new PickleBuilder()
            .EmptyDict().Mark()
            .Op(key)
            .EmptyDict().Mark().String("w").Tensor("FloatStorage", "0", 6, 0, new[] { 2, 3 }, new[] { 3, 1 }).SetItems()
            .SetItems()
            .Stop().ToArray();
        return TorchStateDict.Tensors(PickleMachine.Run(pickle, new TorchPickleRules(Where), Where), Where);
    }

    /// <summary>LONG4 of <paramref name="bytes"/> bytes: a positive integer with every byte set, so none is wasted.</summary>
    private static byte[] Long4(int bytes)
    {
        var op = new byte[5 + bytes];
        op[0] = 0x8b;
        BinaryPrimitives.WriteInt32LittleEndian(op.AsSpan(1), bytes);
        op.AsSpan(5).Fill(0x5a);
        return op;
    }
}
