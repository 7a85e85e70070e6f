using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Forwarder.Tailing;

/// <summary>
/// Device, inode and size of a file, from statx(2): the BCL exposes neither device nor inode numbers.
/// statx's struct has one layout on every Linux architecture, unlike struct stat.
/// </summary>
internal readonly partial record struct FileStatus(ulong Device, ulong Inode, long Size)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    // struct statx offsets (include/uapi/linux/stat.h): stx_ino at 32, stx_size at 40, stx_dev_major/minor at 136/140.
    private const int StatxSize = 256;
    private const int InodeOffset = 32;
    private const int SizeOffset = 40;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;
    private const int CtimeSecondsOffset = 96;
    private const int CtimeNanosecondsOffset = 104;

    /// <summary>Same device and inode: the same file, whatever path reached it.</summary>
    public bool IsSameFileAs(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>
    /// Follows symbolic links. False (with the errno) when the path does not exist or cannot be read.
    /// </summary>
    public static bool TryGet(string path, out FileStatus status, out int errno) =>
        TryGet(AtFdCwd, path, 0, out status, out errno);

    /// <summary>The link itself, not its target.</summary>
    public static bool TryGetNoFollow(string path, out FileStatus status, out int errno) =>
        TryGet(AtFdCwd, path, AtSymlinkNoFollow, out status, out errno);

    /// <summary>The open file, even after it was renamed or deleted (fstat).</summary>
    public static FileStatus Of(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            return TryGet(fd, string.Empty, AtEmptyPath, out var status, out int errno)
                ? status
                : throw new IOException($"statx on an open file failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The status change time (ctime) of <paramref name="path"/> in nanoseconds since the epoch, following links: a
    /// directory's changes with every entry created, deleted or renamed in it, and cannot be set back by utimes(2).
    /// </summary>
    public static unsafe bool TryGetChangeTime(string path, out long nanoseconds)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
        {
            nanoseconds = 0;
            return false;
        }

        nanoseconds = (*(long*)(buffer + CtimeSecondsOffset) * 1_000_000_000) + *(uint*)(buffer + CtimeNanosecondsOffset);
        return true;
    }

    private static unsafe bool TryGet(int dirFd, string path, int flags, out FileStatus status, out int errno)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(dirFd, path, flags, StatxBasicStats, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }

        uint major = *(uint*)(buffer + DevMajorOffset);
        uint minor = *(uint*)(buffer + DevMinorOffset);
        status = new FileStatus(((ulong)major << 32) | minor, *(ulong*)(buffer + InodeOffset), *(long*)(buffer + SizeOffset));
        errno = 0;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
