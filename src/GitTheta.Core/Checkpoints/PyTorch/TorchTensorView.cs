namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> rebuilds it: a view (offset, size, stride) of a storage.</summary>
internal sealed record TorchTensorView(TorchStorageRef Storage, long Offset, IReadOnlyList<long> Size, IReadOnlyList<long> Stride)
{
    public long ElementCount => Size.Aggregate(1L, (count, dim) => checked(count * dim));

    /// <summary>True for the plain case: offset 0, row-major strides, every element of the storage used once.</summary>
    public bool CoversStorageContiguously
    {
        get
        {
            if (Offset != 0 || ElementCount != Storage.ElementCount)
            {
                return false;
            }

            long expected = 1;
            for (var i = Size.Count - 1; i >= 0; i--)
            {
                // torch ignores the stride of a dimension of size 1 when it decides contiguity.
                if (Size[i] != 1 && Stride[i] != expected)
                {
                    return false;
                }

                expected = checked(expected * Size[i]);
            }

            return true;
        }
    }
}
