using System.ComponentModel;
using System.Runtime.InteropServices;

namespace RelpLoad;

/// <summary>
/// The one thread that reads every session's answers: an epoll set of all the sockets (level-triggered), and one
/// non-blocking <c>recv</c> per socket that has data. The runtime's own socket engine would add a thread-pool hop or a
/// callback per read and an extra <c>recv</c> that finds nothing each time it re-arms; the sockets never use it
/// (their connect, open and sends are synchronous calls), so each answer costs a share of one <c>epoll_wait</c> and
/// one <c>recv</c>.
/// </summary>
internal sealed partial class AnswerPoller(LoadSession[] sessions) : IDisposable
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int EIntr = 4;
    private const int MaxEvents = 256;

    // struct epoll_event is packed on x86-64 (12 bytes: events, then the 64-bit data) and aligned elsewhere (16).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll = Check(EpollCreate1(0), "epoll_create1");

    public Thread Start(CancellationToken stop)
    {
        for (int i = 0; i < sessions.Length; i++)
        {
            Control(EpollCtlAdd, sessions[i].Descriptor, i);
        }

        var thread = new Thread(() => Run(stop)) { Name = "relp-load answers", IsBackground = true };
        thread.Start();
        return thread;
    }

    public void Dispose() => _ = Close(_epoll);

    private void Run(CancellationToken stop)
    {
        int open = sessions.Length;
        var events = new byte[MaxEvents * EventSize];
        while (open > 0 && !stop.IsCancellationRequested)
        {
            int ready = Wait(events);
            for (int e = 0; e < ready; e++)
            {
                int index = (int)BitConverter.ToUInt64(events, (e * EventSize) + DataOffset);
                var session = sessions[index];
                if (!session.ReceiveReady())
                {
                    // Ended (closed as expected, or failed): out of the set before its descriptor is closed. Aborted
                    // sessions may have closed it already (the kernel then dropped it from the set): no error then.
                    Control(EpollCtlDel, session.Descriptor, index, mayFail: true);
                    session.Closed();
                    open--;
                }
            }
        }
    }

    private unsafe int Wait(byte[] events)
    {
        fixed (byte* buffer = events)
        {
            while (true)
            {
                // A timeout, so that a stop request is noticed while no answers come.
                int ready = EpollWait(_epoll, buffer, MaxEvents, 200);
                if (ready >= 0)
                {
                    return ready;
                }

                if (Marshal.GetLastPInvokeError() != EIntr)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait");
                }
            }
        }
    }

    private unsafe void Control(int operation, int descriptor, int index, bool mayFail = false)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + DataOffset) = (ulong)index;
        int result = EpollCtl(_epoll, operation, descriptor, ev);
        if (!mayFail)
        {
            Check(result, "epoll_ctl");
        }
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new Win32Exception(Marshal.GetLastPInvokeError(), call);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epoll, int operation, int descriptor, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
