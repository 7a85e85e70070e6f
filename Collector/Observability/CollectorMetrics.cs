using System.Diagnostics;
using Collector.Api.Https;
using Collector.Ingest;
using Collector.Ingest.Tls;
using Collector.Relay;
using Collector.Sources;
using Collector.Storage;
using Shared.Observability;

namespace Collector.Observability;

/// <summary>Renders every counter of the Collector as Prometheus text for <c>GET /metrics</c>.</summary>
public sealed class CollectorMetrics(
    IngestMetrics ingest,
    ConnectionTracker connections,
    StorageChannel queue,
    StorageCounters storage,
    UdpReceiver udp,
    RelayManager relays,
    SourceLedger sources,
    SourceMarks origins,
    TlsCounters tls,
    HttpsSetup https)
{
    private const string Prefix = "kubesyslog_collector_";

    public string Render()
    {
        var m = new PrometheusText();
        foreach (var c in (IngestCounters[])[ingest.Tcp, ingest.Tls, ingest.Udp])
        {
            m.Counter(Prefix + "received_messages_total", "Messages received, by transport and framing.",
                c.OctetCounted, ("transport", c.Transport), ("framing", "octet-counted"));
            m.Counter(Prefix + "received_messages_total", "Messages received, by transport and framing.",
                c.LineFeed, ("transport", c.Transport), ("framing", c.Transport == "udp" ? "datagram" : "lf"));
        }

        foreach (var c in (IngestCounters[])[ingest.Tcp, ingest.Tls, ingest.Udp])
        {
            m.Counter(Prefix + "received_bytes_total", "Message bytes received (without framing).", c.Bytes, ("transport", c.Transport));
        }

        foreach (var c in (IngestCounters[])[ingest.Tcp, ingest.Tls, ingest.Udp])
        {
            m.Counter(Prefix + "parsed_messages_total", "Messages parsed, by transport and format.",
                c.Rfc5424, ("transport", c.Transport), ("format", "rfc5424"));
            m.Counter(Prefix + "parsed_messages_total", "Messages parsed, by transport and format.",
                c.Rfc3164, ("transport", c.Transport), ("format", "rfc3164"));
        }

        foreach (var c in (IngestCounters[])[ingest.Tcp, ingest.Tls, ingest.Udp])
        {
            m.Counter(Prefix + "unparsed_messages_total", "Messages that did not parse; stored raw and marked.",
                c.Unparsed, ("transport", c.Transport));
        }

        foreach (var c in (IngestCounters[])[ingest.Tcp, ingest.Tls, ingest.Udp])
        {
            m.Counter(Prefix + "truncated_messages_total",
                "Messages longer than the maximum size; stored truncated and marked.",
                c.Truncated,
                ("transport", c.Transport));
        }

        RenderRelp(m);
        RenderTls(m);
        m.Counter(Prefix + "framing_errors_total", "TCP connections closed because their stream could not be framed.", ingest.FramingErrorCount);
        m.Gauge(Prefix + "open_connections", "Open TCP connections.", connections.Open);
        m.Counter(Prefix + "accepted_connections_total", "TCP connections accepted.", connections.Accepted);
        m.Counter(Prefix + "rejected_connections_total",
            "TCP connections closed at once because the connection limit was reached.", connections.Rejected);
        m.Counter(Prefix + "idle_closed_connections_total", "TCP connections closed by the idle timeout.", connections.IdleClosed);
        m.Counter(Prefix + "udp_dropped_datagrams_total",
            "Datagrams the kernel dropped because the UDP receive buffer was full.", Math.Max(0, udp.SocketDrops));
        m.Gauge(Prefix + "queue_bytes", "Formatted bytes waiting for the writer.", queue.QueuedBytes);
        m.Gauge(Prefix + "queue_chunks", "Batches waiting for the writer.", queue.Count);
        m.Gauge(Prefix + "queue_capacity_chunks", "Batches that fit in the queue before TCP clients are paused.", queue.Capacity);
        m.Counter(Prefix + "written_lines_total", "Lines written to the messages file.", storage.LinesWritten);
        m.Counter(Prefix + "written_bytes_total", "Bytes written to the messages file.", storage.BytesWritten);
        m.Counter(Prefix + "writes_total", "Write system calls (each appends a batch of lines).", storage.Writes);
        m.Counter(Prefix + "write_errors_total", "Failed writes (retried).", storage.WriteErrors);
        m.Counter(Prefix + "rotations_total", "Rotations of the messages file.", storage.Rotations);
        m.Counter(Prefix + "fsyncs_total", "fsync calls.", storage.Fsyncs);
        m.Counter(Prefix + "deleted_files_total", "Rotated files deleted by the count or total-size limits.", storage.DeletedFiles);
        m.Gauge(Prefix + "file_bytes", "Size of the current messages file.", storage.FileSize);
        m.Gauge(Prefix + "storage_writable", "1 when the messages file is open and the last write succeeded.", storage.Writable ? 1 : 0);
        m.Gauge(Prefix + "storage_failing",
            "1 while writes fail and are retried (RELP not acknowledged, TCP not read); see /readyz for why.",
            storage.Fault is null ? 0 : 1);
        m.Gauge(Prefix + "storage_disk_full", "1 while writes fail for lack of space on the volume.", storage.Fault is { NoSpace: true } ? 1 : 0);
        m.Gauge(Prefix + "volume_bytes", "Size of the volume holding the messages file (-1: not measured).", storage.VolumeSize);
        m.Gauge(Prefix + "volume_available_bytes",
            "Bytes available on the volume holding the messages file (-1: not measured).", storage.VolumeAvailable);
        m.Gauge(Prefix + "min_free_bytes", "Bytes --min-free keeps free on that volume (0: disabled).", storage.MinFreeBytes);
        m.Counter(Prefix + "min_free_deleted_files_total", "Rotated files deleted to keep --min-free bytes free.", storage.MinFreeDeletedFiles);
        m.Counter(Prefix + "min_free_deleted_bytes_total",
            "Bytes of rotated files deleted to keep --min-free bytes free.", storage.MinFreeDeletedBytes);

        m.Gauge(Prefix + "sources", "Sources of origin-tagged lines remembered (docs/sources.md).", sources.Count);
        m.Counter(Prefix + "source_duplicates_total", "Re-sent messages dropped because their origin was already stored.", origins.Duplicates);
        m.Counter(Prefix + "source_gaps_total", "Gaps found in sources: a message started past what was stored of its source.", sources.Gaps);
        m.Counter(Prefix + "source_gap_bytes_total", "Bytes of sources known to be missing (the gaps' sizes).", sources.GapBytes);
        m.Counter(Prefix + "source_malformed_origins_total",
            "Messages whose origin element did not parse (stored, origin ignored).", origins.Malformed);
        m.Counter(Prefix + "source_rejected_origins_total",
            "Messages whose origin claimed too large a jump (stored, origin ignored).", origins.Rejected);
        RenderRelays(m);
        using var process = Process.GetCurrentProcess();
        m.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        m.Counter("process_cpu_seconds_total", "User and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
        m.Gauge("dotnet_gc_heap_bytes", "Bytes on the managed heap.", GC.GetTotalMemory(false));
        return m.ToString();
    }

    private void RenderRelp(PrometheusText m)
    {
        var c = ingest.Relp;
        var s = ingest.RelpSessions;
        m.Counter(Prefix + "relp_received_messages_total", "RELP syslog commands received (each stored as a line).", c.Received);
        m.Counter(Prefix + "relp_received_bytes_total", "Message bytes received over RELP.", c.Bytes);
        m.Counter(Prefix + "relp_unparsed_messages_total", "RELP messages that did not parse; stored raw and marked.", c.Unparsed);
        m.Counter(Prefix + "relp_sessions_total", "RELP sessions opened (open accepted).", s.Opened);
        m.Gauge(Prefix + "relp_open_sessions", "RELP sessions open now.", s.Open);
        m.Counter(Prefix + "relp_acknowledged_messages_total", "RELP syslog commands answered 200 OK (the line was written).", s.Acknowledged);
        m.Counter(Prefix + "relp_error_answers_total", "RELP commands answered 500, by reason.", s.Oversize, ("reason", "oversize"));
        m.Counter(Prefix + "relp_error_answers_total", "RELP commands answered 500, by reason.", s.Refused, ("reason", "refused"));
        m.Counter(Prefix + "relp_protocol_errors_total", "RELP sessions closed because the peer broke the protocol.", s.ProtocolErrors);
    }

    private void RenderTls(PrometheusText m)
    {
        m.Counter(Prefix + "tls_handshakes_total", "TLS handshakes completed (client accepted) on --tls and --relp-tls.", tls.Handshakes);
        foreach (var (reason, count) in tls.Failures)
        {
            m.Counter(Prefix + "tls_handshake_failures_total",
                "TLS connections closed before ingest, by reason (tls_on_plain_port: a TLS client on the plain TCP port).",
                count, ("reason", reason));
        }

        m.Gauge(Prefix + "tls_handshakes_in_progress",
            "TLS handshakes holding one of the --tls-max-handshakes slots now.", tls.HandshakesInProgress);
        m.Gauge(Prefix + "tls_handshakes_waiting",
            "TLS connections that sent their ClientHello and wait for a handshake slot.", tls.HandshakesWaiting);
        m.Counter(Prefix + "tls_stream_errors_total",
            "TLS connections closed after the handshake because the TLS stream broke (alert, bad record).", tls.StreamErrors);
        m.Counter(Prefix + "tls_certificate_reloads_total", "Rotated certificate pairs taken into use.", tls.Reloads);
        m.Counter(Prefix + "tls_certificate_reload_failures_total",
            "Changed certificate pairs refused (the previous pair stays in use).", tls.ReloadFailures);
        m.Gauge(Prefix + "tls_certificate_not_after_seconds",
            "Expiry of the certificate in use, Unix seconds (0 without TLS).", tls.CertificateNotAfter);
        m.Counter(Prefix + "https_certificate_reloads_total", "Rotated --https certificate pairs taken into use.", https.Counters.Reloads);
        m.Counter(Prefix + "https_certificate_reload_failures_total",
            "Changed --https certificate pairs refused (the previous pair stays in use).", https.Counters.ReloadFailures);
        m.Gauge(Prefix + "https_certificate_not_after_seconds",
            "Expiry of the --https certificate in use, Unix seconds (0 without --https).", https.Counters.CertificateNotAfter);
        foreach (var (peer, rejected, count) in tls.Mismatches)
        {
            m.Counter(Prefix + "identity_mismatches_total",
                "Messages whose HOSTNAME is not the node their client certificate names, by that node and action.",
                count, ("peer", peer), ("action", rejected ? "rejected" : "marked"));
        }
    }

    /// <summary>One series per relay and value, labelled <c>relay="name"</c>, each metric's series together.</summary>
    private void RenderRelays(PrometheusText m)
    {
        var (running, set) = relays.Snapshot();
        m.Gauge(Prefix + "relays", "Relays running.", running.Count);
        m.Gauge(Prefix + "relay_invalid_files", "Files in the relay directory that were rejected (see GET /api/v1/relays).", set.Invalid.Count);
        m.Counter(Prefix + "relay_reloads_total", "Reads of the relay directory that changed the running relays.", relays.Reloads);
        (string Name, string Help, bool Counter, Func<RelayTarget, double> Value)[] series =
        [
            ("relay_accepted_messages_total", "Messages handed to the relay by ingest (after its filter).", true, r => r.Accepted),
            ("relay_sent_messages_total", "Messages written to the relay target's socket.", true, r => r.Sent),
            ("relay_dropped_messages_total",
                "Messages the relay lost: queue and spill full (oldest dropped), spill errors, or left at removal.",
                true, r => r.Dropped),
            ("relay_queued_messages", "Messages waiting in the relay's queue (memory and disk).", false, r => r.Queued),
            ("relay_queued_bytes", "Bytes waiting in the relay's queue (memory and disk).", false, r => r.Queue.QueuedBytes),
            ("relay_spilled_bytes", "Bytes of the relay's queue on disk.", false, r => r.Queue.SpilledBytes),
            ("relay_connected", "1 while the relay has a connection to its target (UDP: a socket).", false, r => r.Connected ? 1 : 0),
            ("relay_send_failures_total", "Failed sends to the relay target (each retried after a backoff).", true, r => r.SendFailures),
            ("relay_reconnects_total", "Connections to the relay target opened after the first.", true, r => r.Reconnects),
            ("relay_truncated_messages_total", "UDP messages cut to the relay's datagram size.", true, r => r.Truncated),
            ("relay_refused_messages_total",
                "RELP: messages the relay target answered with an error (500); counted, logged, not sent again.",
                true, r => r.Refused),
            ("relay_resent_messages_total", "RELP: unanswered messages sent again after a session with the relay target ended.", true, r => r.Resent),
            ("relay_spill_errors_total",
                "Spill segments or records found damaged or unreadable, and failed spill writes (see the log).",
                true, r => r.Queue.SpillErrors),
        ];
        foreach (var (name, help, counter, value) in series)
        {
            foreach (var relay in running)
            {
                if (counter)
                {
                    m.Counter(Prefix + name, help, value(relay), ("relay", relay.Name));
                }
                else
                {
                    m.Gauge(Prefix + name, help, value(relay), ("relay", relay.Name));
                }
            }
        }
    }
}
