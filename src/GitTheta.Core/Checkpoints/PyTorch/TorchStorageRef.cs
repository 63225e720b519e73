using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// A storage a pickle refers to by persistent id <c>('storage', torch.XStorage, key, location, numel)</c>:
/// its bytes are the zip entry <c>data/&lt;key&gt;</c>.
/// </summary>
internal sealed record TorchStorageRef(string Key, DType DType, string StorageType, long ElementCount)
{
    public long ByteLength => checked(ElementCount * DTypes.SizeOf(DType));
}
