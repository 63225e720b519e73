using System.Security.Cryptography;
using System.Text;

namespace GitTheta.Tasks;

/// <summary>
/// A machine-wide lock named after a path, so that parallel builds (the frameworks of a multi-targeted project,
/// projects of one solution) neither write one materialized model twice at once nor edit one repository's config together.
/// </summary>
internal sealed class CrossProcessLock : IDisposable
{
    private readonly Mutex mutex;

    private CrossProcessLock(Mutex mutex)
    {
        this.mutex = mutex;
    }

    public static CrossProcessLock Acquire(string key, TimeSpan timeout)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        var mutex = new Mutex(initiallyOwned: false, "Global\\GitTheta-" + hash);
        try
        {
            if (!mutex.WaitOne(timeout))
            {
                mutex.Dispose();
                throw new TimeoutException($"another build held the GitTheta lock for '{key}' longer than {timeout.TotalMinutes:0} minutes");
            }
        }
        catch (AbandonedMutexException)
        {
            // The holder died; the lock is ours now and what it protects is written atomically anyway.
        }

        return new CrossProcessLock(mutex);
    }

    public void Dispose()
    {
        mutex.ReleaseMutex();
        mutex.Dispose();
    }
}
