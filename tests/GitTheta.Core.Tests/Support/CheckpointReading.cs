using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Safetensors;

namespace GitTheta.Core.Tests.Support;

/// <summary>Reads a whole checkpoint through Core's reader, the way clean does.</summary>
internal static class CheckpointReading
{
    public sealed record Result(List<(string Name, byte[] Data)> Groups, byte[] Container);

    public static Result ReadAll(Stream input, int readSize = 4096)
    {
        using var reader = new SafetensorsFormat().OpenReader(input, "model.safetensors");
        var groups = new List<(string, byte[])>();
        var buffer = new byte[readSize];
        while (reader.Next() is { } info)
        {
            var data = new MemoryStream();
            int n;
            while ((n = reader.ReadData(buffer)) > 0)
            {
                data.Write(buffer, 0, n);
            }

            groups.Add((info.Name, data.ToArray()));
        }

        return new Result(groups, reader.Complete());
    }

    public static Result ReadAll(byte[] file, int readSize = 4096) => ReadAll(new MemoryStream(file, writable: false), readSize);
}
