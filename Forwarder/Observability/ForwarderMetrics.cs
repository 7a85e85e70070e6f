using System.Diagnostics;
using Forwarder.Discovery;
using Forwarder.Metadata;
using Forwarder.Shipping;
using Forwarder.Tailing;
using Shared.Observability;

namespace Forwarder.Observability;

/// <summary>Renders every counter of the Forwarder as Prometheus text for <c>GET /metrics</c>.</summary>
internal sealed class ForwarderMetrics(
    TailingLoop tailing,
    ShippingQueue queue,
    ShippingCounters shipping,
    CollectorLink link,
    DiscoveryWatcher watcher,
    MetadataCounters metadata,
    PodMetadataCache? metadataCache = null,
    MemoryTrimmer? trimmer = null)
{
    private const string Prefix = "kubesyslog_forwarder_";

    public string Render()
    {
        var t = tailing.Counters;
        var m = new PrometheusText();
        m.Counter(Prefix + "read_lines_total", "Log entries read from files (after reassembling partial lines).", t.Lines);
        m.Counter(Prefix + "read_bytes_total", "File bytes read.", t.Bytes);
        m.Counter(Prefix + "shipped_lines_total", "Messages written to a target's socket.", shipping.Messages);
        m.Counter(Prefix + "shipped_bytes_total", "Bytes of those messages (RFC 5424, without framing).", shipping.Bytes);
        m.Gauge(Prefix + "pending_lines", "Messages encoded and queued but not yet written to a socket.", shipping.Pending);
        m.Gauge(Prefix + "queue_batches", "Batches waiting for the network.", queue.Queued);
        m.Gauge(Prefix + "queue_capacity_batches", "Batches that fit in the queue before file reading pauses.", queue.Capacity);
        m.Counter(Prefix + "truncated_lines_total", "Entries longer than the maximum line size: sent cut and marked.", t.TruncatedLines);
        m.Counter(Prefix + "partial_lines_total", "Entries sent without their final fragment (flush timeout, file gone).", t.PartialLines);
        m.Counter(Prefix + "malformed_lines_total", "Lines not in their file's format: sent raw and marked.", t.MalformedLines);
        m.Counter(
            Prefix + "file_truncations_total",
            "Files that shrank or were rewritten (copytruncate): read again from the start.",
            t.FileTruncations);
        m.Counter(Prefix + "files_opened_total", "Files opened for tailing.", t.FilesOpened);
        m.Counter(Prefix + "files_closed_total", "Files closed after they were renamed away or deleted and drained.", t.FilesClosed);
        m.Counter(Prefix + "open_errors_total", "Failed attempts to open a file (retried).", t.OpenErrors);
        m.Counter(
            Prefix + "share_waits_total",
            "Turns a file with more to read ended because its share of the queue was not yet confirmed (fair reading).",
            t.ShareWaits);
        m.Gauge(Prefix + "inotify_watching", "1 when discovery is woken by inotify, 0 when it only polls.", watcher.IsWatching ? 1 : 0);

        var files = tailing.Files;
        m.Gauge(
            Prefix + "files_watched",
            "Files being tailed (including renamed or deleted ones still being drained).",
            files.Count(f => !f.IsClosed));
        m.Gauge(
            Prefix + "drained_files_remembered",
            "Checkpoints of drained files kept so they are not shipped twice; forgotten once the file is deleted.",
            tailing.DrainedFilesRemembered);
        foreach (var file in files)
        {
            if (!file.IsClosed)
            {
                m.Gauge(
                    Prefix + "file_lag_bytes",
                    "Bytes of a file not yet written to a target's socket.",
                    Math.Max(0, file.Size - file.CommittedOffset),
                    ("path", file.File.Path));
            }
        }

        var counters = link.Counters;
        for (int i = 0; i < counters.Count; i++)
        {
            m.Counter(Prefix + "target_sent_lines_total", "Messages written to each target.", counters[i].MessagesSent, ("target", link.Targets[i]));
        }

        for (int i = 0; i < counters.Count; i++)
        {
            m.Counter(
                Prefix + "target_reconnects_total",
                "TCP connections replaced after a failure, per target.",
                counters[i].Reconnects,
                ("target", link.Targets[i]));
        }

        for (int i = 0; i < counters.Count; i++)
        {
            m.Counter(
                Prefix + "target_refused_total",
                "RELP: messages the target answered with an error (500); counted, logged, not sent again.",
                counters[i].Refused,
                ("target", link.Targets[i]));
        }

        for (int i = 0; i < counters.Count; i++)
        {
            m.Counter(
                Prefix + "target_resent_lines_total",
                "RELP: unacknowledged messages sent again after a session ended (the receiver may hold some twice).",
                counters[i].Resent,
                ("target", link.Targets[i]));
        }

        m.Counter(Prefix + "failed_sends_total", "Sends that failed and were tried again (the batch is kept, nothing is lost).", link.FailedAttempts);
        m.Counter(Prefix + "failovers_total", "Times a failed send moved shipping to the next target.", link.Failovers);
        long truncated = counters.Sum(c => c.Truncated);
        long failed = counters.Sum(c => c.FailedSends);
        m.Counter(
            Prefix + "dropped_lines_total",
            "Messages lost, by reason (UDP only: TCP never drops, it waits).",
            failed,
            ("reason", "udp_send_failed"));
        m.Counter(Prefix + "udp_truncated_lines_total", "Messages cut to the UDP datagram size (sent, shorter).", truncated);

        MetadataMetrics.Render(m, Prefix, metadata, metadataCache);
        RateLimitMetrics.Render(m, Prefix, tailing);
        using var process = Process.GetCurrentProcess();
        m.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        m.Counter("process_cpu_seconds_total", "User and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
        m.Gauge("process_open_fds", "Open file descriptors.", OpenDescriptors());
        RuntimeMetrics.Render(m, trimmer);
        return m.ToString();
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
