using System.Buffers;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Sources;

/// <summary>
/// Finds the origin element in one line of the messages file: in the STRUCTURED-DATA field of the <c>file</c> format
/// (either layout, <see cref="StoredLine"/>) or of an <c>rfc5424</c> line, never in MSG, where any sender may write
/// anything. The <c>traditional</c> format keeps no STRUCTURED-DATA, so it has no origins.
/// </summary>
public static class StoredOrigin
{
    private static ReadOnlySpan<byte> ElementStart => "[o@32473 "u8;

    /// <summary>
    /// The line's STRUCTURED-DATA and HOSTNAME and APP-NAME when it has an origin element in it; false otherwise.
    /// </summary>
    public static bool TryFind(
        ReadOnlySpan<byte> line,
        LineFormat format,
        out ReadOnlySpan<byte> structuredData,
        out ReadOnlySpan<byte> host,
        out ReadOnlySpan<byte> app)
    {
        structuredData = host = app = default;
        if (line.IndexOf(ElementStart) < 0)
        {
            return false;
        }

        if (format == LineFormat.Rfc5424)
        {
            if (Rfc5424Parser.TryParse(line, out var header, out _) != OperationStatus.Done)
            {
                return false;
            }

            structuredData = header.StructuredData.Slice(line);
            host = header.HostName.Slice(line);
            app = header.AppName.Slice(line);
            return !structuredData.IsEmpty;
        }

        if (format != LineFormat.File)
        {
            return false;
        }

        var parsed = StoredLine.Parse(line);
        structuredData = parsed.StructuredData;
        host = parsed.Raw(LogLabel.Host);
        app = parsed.Raw(LogLabel.App);
        return !structuredData.IsEmpty;
    }
}
