using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Collector.Storage;

/// <summary>
/// fdatasync(2): flushes the file's data and the metadata needed to read it back (its size), not its times, so an
/// append costs one journal commit less than fsync. Elsewhere than Linux, <see cref="RandomAccess.FlushToDisk"/>.
/// </summary>
internal static partial class DataSync
{
    public static void Flush(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        if (FDataSync(file) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(SafeFileHandle fd);
}
