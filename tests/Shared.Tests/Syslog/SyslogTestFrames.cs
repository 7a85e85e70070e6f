using System.Text;

namespace Shared.Tests.Syslog;

/// <summary>
/// Test vectors: the RFC 5424 §6.5 examples and bytes captured from util-linux <c>logger</c> and rsyslog on Debian 12,
/// transcribed here (octet-counted ones keep their <c>LEN SP</c> prefix so the count checks the transcription).
/// </summary>
internal static class SyslogTestFrames
{
    public const string Bom = "\u00EF\u00BB\u00BF";

    // RFC 5424 §6.5, example 1 (with a real BOM).
    public const string RfcExample1 =
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + Bom + "'su root' failed for lonvick on /dev/pts/8";

    // RFC 5424 §6.5, example 2.
    public const string RfcExample2 =
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.";

    // RFC 5424 §6.5, example 3 (SD and a BOM MSG).
    public const string RfcExample3 =
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] " + Bom + "An application event log entry...";

    // RFC 5424 §6.5, example 4 (two SD elements, no MSG).
    public const string RfcExample4 =
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]";

    public const string LoggerOctetCounted =
        "111 <134>1 2026-11-22T04:45:59.303510+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] hello octet counted";

    public const string LoggerLfFramed =
        "<13>1 2026-11-22T04:45:59.305709+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] hello non-transparent\n";

    public const string LoggerUdp =
        "<28>1 2026-11-22T04:45:59.307306+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] hello udp";

    public const string Logger3164Tcp = "<34>Nov 22 04:45:59 vm myapp: rfc3164 over tcp\n";

    public const string LoggerTwoLinesFirst =
        "100 <143>1 2026-11-22T04:45:59.314189+00:00 vm multi - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] line one";

    public const string LoggerTwoLinesSecond =
        "100 <143>1 2026-11-22T04:45:59.314260+00:00 vm multi - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] line two";

    public const string LoggerMinimal = "34 <13>1 - - min - - - minimal header";

    // Latin-1 text of the captured bytes: \xc3\xbc is "\u00C3\u00BC".
    public const string LoggerSdUtf8 =
        "207 <187>1 2026-11-22T04:46:08.518987+00:00 vm myapp 23100 ID47 [timeQuality tzKnown=\"1\" isSynced=\"0\"]"
        + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"][origin ip=\"127.0.0.1\"] with structured data "
        + "\u00C3\u00BCn\u00C3\u00AFc\u00C3\u00B6d\u00C3\u00A9";

    public const string LoggerEscapedSd =
        "121 <13>1 2026-11-22T04:46:08.520898+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"][x@1 k=\"a\\\"b\\\\c\\]d\"] escaped sd";

    public const string RsyslogOmfwdOctet =
        "139 <134>1 2026-11-22T04:46:37.706784+00:00 vm myapp 23591 MID "
        + "[timeQuality tzKnown=\"1\" isSynced=\"0\"][ex@32473 a=\"1\"] via rsyslog udp in "
        + "\u00C3\u00BCn\u00C3\u00AF\n";

    public const string RsyslogFrom3164 = "64 <19>1 2026-11-22T04:46:37+00:00 vm oldapp - - -  legacy 3164 in\n";

    /// <summary>
    /// Bytes of a string whose chars are bytes (Latin-1), so tests can spell any byte, NUL and invalid UTF-8 included.
    /// </summary>
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>Strips an RFC 6587 octet-count prefix and checks the count matches what follows.</summary>
    public static byte[] OctetCounted(string latin1)
    {
        byte[] bytes = Bytes(latin1);
        int space = Array.IndexOf(bytes, (byte)' ');
        int count = int.Parse(Encoding.ASCII.GetString(bytes, 0, space), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(count, bytes.Length - space - 1);
        return bytes[(space + 1)..];
    }

    /// <summary>Every valid RFC 5424 frame above, prefixes removed: the seeds of the fuzz loop.</summary>
    public static IReadOnlyList<byte[]> ValidFrames() =>
    [
        Bytes(RfcExample1),
        Bytes(RfcExample2),
        Bytes(RfcExample3),
        Bytes(RfcExample4),
        OctetCounted(LoggerOctetCounted),
        Bytes(LoggerLfFramed),
        Bytes(LoggerUdp),
        OctetCounted(LoggerTwoLinesFirst),
        OctetCounted(LoggerTwoLinesSecond),
        OctetCounted(LoggerMinimal),
        OctetCounted(LoggerSdUtf8),
        OctetCounted(LoggerEscapedSd),
        OctetCounted(RsyslogOmfwdOctet),
        OctetCounted(RsyslogFrom3164),
    ];
}
