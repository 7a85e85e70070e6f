using System.Runtime.InteropServices;

namespace Forwarder;

/// <summary>
/// glibc's <c>malloc_trim(0)</c>: gives the free pages of every malloc arena back to the kernel. <c>free</c> gives
/// memory back only from the top of a heap, once more than <c>M_TRIM_THRESHOLD</c> is free there; pages freed below a
/// live allocation stay resident until a trim. The GC's heap is not malloc's (it maps its own regions), but the
/// runtime, the socket code and the native libraries allocate with malloc, from the threads that ran the burst.
/// Looked up at run time, not linked: musl (Alpine) and other libcs have no <c>malloc_trim</c>, and there this is a
/// no-op.
/// </summary>
internal static unsafe class GlibcHeap
{
    private static readonly delegate* unmanaged<nuint, int> Trim = Resolve();

    /// <summary>Whether this process has glibc's <c>malloc_trim</c>.</summary>
    public static bool IsAvailable => Trim != null;

    /// <summary>
    /// Trims every arena. True when glibc gave memory back, false when there was nothing to give or no glibc.
    /// </summary>
    public static bool TryTrim() => Trim != null && Trim(0) != 0;

    private static delegate* unmanaged<nuint, int> Resolve()
    {
        // libc.so.6 is glibc's soname; musl's libc is libc.musl-*.so.1 (and has no malloc_trim anyway).
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out nint libc))
        {
            return null;
        }

        return NativeLibrary.TryGetExport(libc, "malloc_trim", out nint trim) ? (delegate* unmanaged<nuint, int>)trim : null;
    }
}
