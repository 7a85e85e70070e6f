using System.Runtime.InteropServices;

namespace RelpLoad;

/// <summary>
/// <c>recvmsg</c> with <c>SO_TIMESTAMPNS</c>: besides the bytes, the time the kernel queued the last segment read on
/// this socket (CLOCK_REALTIME). On loopback that is the moment the Collector's <c>send</c> delivered its answer, so
/// the time from there to the generator's own read is the generator's delay (its answer thread waiting for a core),
/// not the Collector's; the report shows the latency with and without it. Linux, 64-bit (the struct layouts below).
/// </summary>
internal static partial class StampedReceive
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35; // SO_TIMESTAMPNS_OLD, its control message is SCM_TIMESTAMPNS (a timespec)
    private const int MsgDontWait = 0x40;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int ControlLength = 64;

    public static void Enable(int descriptor)
    {
        int on = 1;
        if (SetSockOpt(descriptor, SolSocket, SoTimestampNs, ref on, sizeof(int)) != 0)
        {
            throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "setsockopt(SO_TIMESTAMPNS)");
        }
    }

    /// <summary>
    /// Reads what is there without blocking: the byte count (0 at the end of the stream), -1 when nothing was there,
    /// or throws. <paramref name="arrivedTicks"/> is the kernel's time of the last segment read (UTC
    /// <see cref="DateTime.Ticks"/>), 0 when it gave none.
    /// </summary>
    public static unsafe int Receive(int descriptor, Span<byte> buffer, out long arrivedTicks)
    {
        arrivedTicks = 0;
        byte* control = stackalloc byte[ControlLength];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlLength };
            long read;
            while ((read = RecvMsg(descriptor, &message, MsgDontWait)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                {
                    return -1;
                }

                if (errno != EIntr)
                {
                    throw new System.ComponentModel.Win32Exception(errno, "recvmsg");
                }
            }

            // One control message at most: struct cmsghdr { size_t len; int level; int type; } then the timespec.
            if (message.ControlLength >= 32 && *(int*)(control + 8) == SolSocket && *(int*)(control + 12) == SoTimestampNs)
            {
                long seconds = *(long*)(control + 16);
                long nanoseconds = *(long*)(control + 24);
                arrivedTicks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
            }

            return (int)read;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int socket, int level, int option, ref int value, int length);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial long RecvMsg(int socket, MessageHeader* message, int flags);
}
