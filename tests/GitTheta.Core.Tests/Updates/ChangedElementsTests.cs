using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class ChangedElementsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Finds_exactly_the_elements_with_a_differing_byte_in_order(int size)
    {
        const int count = 5000;
        var before = new byte[count * size];
        new Random(size).NextBytes(before);
        var after = (byte[])before.Clone();
        // First, last, neighbours, one inside a long run, and a change in the last byte of an element only.
        var expected = new[] { 0, 1, 2, 63, 64, 1000, 4097, count - 1 };
        foreach (var i in expected)
        {
            after[(i * size) + (i % size)] ^= 0x5A;
        }

        Assert.Equal(expected, All(before, after, size));
    }

    [Fact]
    public void Identical_values_have_no_changed_element()
    {
        var value = new byte[4096 * 4];
        new Random(3).NextBytes(value);

        Assert.Empty(All(value, (byte[])value.Clone(), 4));
        Assert.Empty(All(Array.Empty<byte>(), Array.Empty<byte>(), 4));
    }

    [Fact]
    public void Every_element_changed_is_every_index()
    {
        var before = new byte[40];
        var after = Enumerable.Repeat((byte)1, 40).ToArray();

        Assert.Equal(Enumerable.Range(0, 10), All(before, after, 4));
    }

    [Fact]
    public void Values_of_different_lengths_or_sizes_that_are_not_element_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ChangedElements(new byte[8], new byte[12], 4));
        Assert.Throws<ArgumentException>(() => new ChangedElements(new byte[6], new byte[6], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChangedElements(new byte[6], new byte[6], 3));
    }

    private static List<int> All(byte[] before, byte[] after, int size)
    {
        var found = new List<int>();
        var scan = new ChangedElements(before, after, size);
        while (scan.Next(out var index))
        {
            found.Add(index);
        }

        return found;
    }
}
