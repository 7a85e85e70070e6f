using System.Net;
using TestSupport;

namespace RelpLoad;

/// <summary>
/// What the sessions talk to: the Collector (published binary or Collector.dll) or, with <c>--receiver rsyslog</c>,
/// rsyslog's <c>imrelp</c> as the peer, run the way the interop tests run it (<see cref="RsyslogRelpReceiver"/>: a
/// private rsyslogd in the foreground whose main queue is Direct, so that it too answers a message only after
/// <c>omfile</c> wrote it, the guarantee of the Collector's <c>--relp-ack-after write</c>).
/// </summary>
internal sealed class LoadReceiver(
    string name,
    int pid,
    IPEndPoint relp,
    IAsyncDisposable process,
    Uri? http,
    Func<StoredSequences> stored) : IAsyncDisposable
{
    /// <summary>"collector" or "rsyslog", for the report.</summary>
    public string Name => name;

    public int ProcessId => pid;

    public IPEndPoint Relp => relp;

    public static async Task<LoadReceiver> StartAsync(LoadSettings settings, TempDirectory dir)
    {
        if (settings.AgainstRsyslog)
        {
            var rsyslog = await RsyslogRelpReceiver.StartAsync(dir);
            return new LoadReceiver(
                "rsyslog",
                rsyslog.ProcessId,
                new IPEndPoint(IPAddress.Loopback, rsyslog.Port),
                rsyslog,
                null,
                () => StoredSequences.ReadFiles([rsyslog.OutputPath], settings.Sessions));
        }

        string binary = settings.Collector!;
        string[] prefix = binary.EndsWith(".dll", StringComparison.Ordinal) ? [binary] : [];
        var collector = await CollectorProcess.StartCommandAsync(
            prefix.Length > 0 ? "dotnet" : binary,
            prefix,
            dir.Combine("messages"),
            [
                "--relp-ack-after", settings.AckAfter,
                // Rotation at the default size, as in production (the index of the file being written lives in
                // memory until it rotates), but every rotated file kept and plain, so the check can read all that
                // was stored.
                "--max-files", "1000", "--max-total-size", "0", "--compress", "false",
                .. settings.CollectorArgs,
            ]);
        if (collector.Relp is not { } relp)
        {
            string output = collector.Output;
            await collector.DisposeAsync();
            throw new InvalidOperationException($"the Collector did not say where it receives RELP:\n{output}");
        }

        return new LoadReceiver(
            "collector",
            collector.ProcessId,
            relp,
            collector,
            collector.Http,
            () => StoredSequences.Read(dir.Path, settings.Sessions));
    }

    /// <summary>The Collector's own count of answers and fsyncs (from /metrics); rsyslog has none to ask.</summary>
    public async Task<string> CountersAsync()
    {
        if (http is null)
        {
            return "rsyslog: no counters (the check below reads its file)";
        }

        using var client = new HttpClient();
        string metrics = await client.GetStringAsync(new Uri(http, "metrics"));
        return $"collector: {Metric(metrics, "kubesyslog_collector_relp_acknowledged_messages_total")} acknowledged, " +
            $"{Metric(metrics, "kubesyslog_collector_fsyncs_total")} fsyncs";
    }

    /// <summary>What the receiver wrote, per session.</summary>
    public StoredSequences ReadStored() => stored();

    public ValueTask DisposeAsync() => process.DisposeAsync();

    private static string Metric(string metrics, string name) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "?";
}
