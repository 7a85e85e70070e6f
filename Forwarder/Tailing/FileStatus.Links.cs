using Microsoft.Win32.SafeHandles;

namespace Forwarder.Tailing;

internal readonly partial record struct FileStatus
{
    // struct statx: stx_nlink, a __u32 at offset 16 (include/uapi/linux/stat.h).
    private const int LinksOffset = 16;

    /// <summary>
    /// The open file has no name left (its last link was removed): only open handles keep its data.
    /// </summary>
    public static unsafe bool IsDeleted(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            byte* buffer = stackalloc byte[StatxSize];
            return Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, buffer) == 0
                && *(uint*)(buffer + LinksOffset) == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
