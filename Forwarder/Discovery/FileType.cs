using System.Runtime.InteropServices;

namespace Forwarder.Discovery;

/// <summary>
/// Whether a path (after following links) is a regular file. The BCL reports fifos and sockets as plain files, and
/// opening a fifo for reading blocks, so the tailer must never be handed one; <see cref="Tailing.FileStatus"/> carries
/// no file type, hence this one statx(2) field.
/// </summary>
internal static partial class FileType
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;

    // struct statx (include/uapi/linux/stat.h): stx_mode is a __u16 at offset 28; S_IFMT and S_IFREG from inode(7).
    private const int ModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    /// <summary>False with the errno when the path cannot be stat'ed (ENOENT for a dangling link).</summary>
    public static unsafe bool TryIsRegularFile(string path, out bool isRegular, out int errno)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            isRegular = false;
            return false;
        }

        isRegular = (*(ushort*)(buffer + ModeOffset) & FileTypeMask) == RegularFile;
        errno = 0;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
