using System.Globalization;
using System.Net.Sockets;

namespace Collector.Ingest;

/// <summary>
/// Datagrams the kernel dropped because our socket's receive buffer was full: the "drops" column of
/// <c>/proc/net/udp</c> (and <c>udp6</c>) for the socket's inode. UDP cannot push back, so this is how its loss is
/// counted.
/// </summary>
public static class UdpDrops
{
    /// <summary>The socket's drop count, or -1 where /proc does not tell (not Linux).</summary>
    public static long Read(Socket socket)
    {
        try
        {
            string? link = new FileInfo($"/proc/self/fd/{socket.SafeHandle.DangerousGetHandle()}").LinkTarget;
            if (link is null || !link.StartsWith("socket:[", StringComparison.Ordinal))
            {
                return -1;
            }

            string inode = link["socket:[".Length..^1];
            foreach (string table in (string[])["/proc/net/udp", "/proc/net/udp6"])
            {
                foreach (string line in File.ReadLines(table).Skip(1))
                {
                    string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length >= 13 && fields[9] == inode)
                    {
                        return long.Parse(fields[^1], CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ObjectDisposedException)
        {
        }

        return -1;
    }
}
