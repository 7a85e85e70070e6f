using System.Runtime.InteropServices;

namespace Collector.Storage;

/// <summary>
/// SIGHUP reopens the messages file, as it does for rsyslog (by default the signal would end the process undrained).
/// A process started under <c>nohup</c> inherits SIGHUP as ignored, and .NET then leaves it ignored even when a
/// handler is registered; rsyslogd installs its handler regardless, and so do we: the disposition is put back to
/// the default first. Nothing is lost by that, since the handler below cancels the default action (ending the
/// process): what nohup protects against cannot happen.
/// </summary>
internal static partial class ReopenOnHangup
{
    private const int SigHup = 1;
    private static readonly nint SigDfl = 0;

    public static PosixSignalRegistration Register(MessagesFileWriter writer)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Signal(SigHup, SigDfl);
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            writer.RequestReopen();
        });
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
