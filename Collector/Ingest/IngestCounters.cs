using Shared.Framing;
using Shared.Syslog;

namespace Collector.Ingest;

/// <summary>
/// Totals for one transport (tcp or udp), for /metrics. Ingest loops count in a <see cref="Tally"/> of their own and
/// add it here once per read, so connections do not contend on shared counters for every message.
/// </summary>
public sealed class IngestCounters(string transport)
{
    private long _octetCounted;
    private long _lineFeed;
    private long _bytes;
    private long _rfc5424;
    private long _rfc3164;
    private long _unparsed;
    private long _truncated;

    public string Transport => transport;

    public long OctetCounted => Interlocked.Read(ref _octetCounted);

    public long LineFeed => Interlocked.Read(ref _lineFeed);

    public long Received => OctetCounted + LineFeed;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Rfc5424 => Interlocked.Read(ref _rfc5424);

    public long Rfc3164 => Interlocked.Read(ref _rfc3164);

    public long Unparsed => Interlocked.Read(ref _unparsed);

    public long Truncated => Interlocked.Read(ref _truncated);

    internal void Add(ref Tally tally)
    {
        if (tally.Messages == 0 && tally.Bytes == 0)
        {
            return;
        }

        Interlocked.Add(ref _octetCounted, tally.OctetCounted);
        Interlocked.Add(ref _lineFeed, tally.Messages - tally.OctetCounted);
        Interlocked.Add(ref _bytes, tally.Bytes);
        Interlocked.Add(ref _rfc5424, tally.Rfc5424);
        Interlocked.Add(ref _rfc3164, tally.Rfc3164);
        Interlocked.Add(ref _unparsed, tally.Unparsed);
        Interlocked.Add(ref _truncated, tally.Truncated);
        tally = default;
    }

    /// <summary>
    /// One loop's counts since it last reported. UDP datagrams count as LF-framed (they carry no framing).
    /// </summary>
    internal struct Tally
    {
        public long Messages;
        public long OctetCounted;
        public long Bytes;
        public long Rfc5424;
        public long Rfc3164;
        public long Unparsed;
        public long Truncated;

        public void Count(SyslogFraming framing, SyslogFormat format, bool parsed, bool truncated)
        {
            Messages++;
            if (framing == SyslogFraming.OctetCounting)
            {
                OctetCounted++;
            }

            if (!parsed)
            {
                Unparsed++;
            }
            else if (format == SyslogFormat.Rfc5424)
            {
                Rfc5424++;
            }
            else
            {
                Rfc3164++;
            }

            if (truncated)
            {
                Truncated++;
            }
        }
    }
}
