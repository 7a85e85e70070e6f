using System.Runtime.InteropServices;

namespace Forwarder.Tests;

/// <summary>
/// malloc_trim through the real libc: found exactly where glibc is loaded, and giving back pages freed in the middle
/// of an arena (glibc returns only the top of its heap by itself).
/// </summary>
public sealed class GlibcHeapTests
{
    [Fact]
    public void ItIsAvailableExactlyWhenThisProcessRunsOnGlibc()
    {
        bool glibc = OperatingSystem.IsLinux()
            && File.ReadLines("/proc/self/maps").Any(line => line.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Equal(glibc, GlibcHeap.IsAvailable);
    }

    [Fact]
    public void ItGivesBackPagesFreedBelowALiveAllocation()
    {
        if (!GlibcHeap.IsAvailable)
        {
            Assert.False(GlibcHeap.TryTrim());
            return;
        }

        // 16 MiB in 4 KiB blocks (well under the mmap threshold: from an arena), all freed but the last, which keeps
        // the freed pages below the arena's top, where free() leaves them resident.
        const int Blocks = 4096;
        var blocks = new nint[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            // Marshal.AllocHGlobal is malloc on Unix. Written to, so the pages are resident.
            blocks[i] = Marshal.AllocHGlobal(4096);
            for (int offset = 0; offset < 4096; offset += 512)
            {
                Marshal.WriteByte(blocks[i], offset, 0x5a);
            }
        }

        for (int i = 0; i < Blocks - 1; i++)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        try
        {
            Assert.True(GlibcHeap.TryTrim(), "malloc_trim(0) gave nothing back after 16 MiB were freed");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }
}
