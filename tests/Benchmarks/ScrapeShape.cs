namespace Benchmarks;

/// <summary>
/// The Collector's <c>/metrics</c> as data: its labelled families and label sets as in <c>CollectorMetrics</c>, its
/// unlabelled ones (one more than it has) and per-relay ones with help lines of typical length, with values that grow
/// on every scrape as counters do.
/// </summary>
public sealed class ScrapeShape
{
    public ScrapeShape(int relays)
    {
        var families = new List<Family>();
        string[] transports = ["tcp", "udp"];
        families.Add(new("kubesyslog_collector_received_messages_total", "Messages received, by transport and framing.", true,
            [.. transports.SelectMany(t => new[]
            {
                Labels(("transport", t), ("framing", "octet-counted")),
                Labels(("transport", t), ("framing", t == "udp" ? "datagram" : "lf")),
            })]));
        families.Add(new(
            "kubesyslog_collector_received_bytes_total",
            "Message bytes received (without framing).",
            true,
            [.. transports.Select(t => Labels(("transport", t)))]));
        families.Add(new("kubesyslog_collector_parsed_messages_total", "Messages parsed, by transport and format.", true,
            [.. transports.SelectMany(t => new[]
            {
                Labels(("transport", t), ("format", "rfc5424")),
                Labels(("transport", t), ("format", "rfc3164")),
            })]));
        families.Add(new(
            "kubesyslog_collector_unparsed_messages_total",
            "Messages that did not parse; stored raw and marked.",
            true,
            [.. transports.Select(t => Labels(("transport", t)))]));
        families.Add(new(
            "kubesyslog_collector_truncated_messages_total",
            "Messages longer than the maximum size; stored truncated and marked.",
            true,
            [.. transports.Select(t => Labels(("transport", t)))]));
        families.Add(new(
            "kubesyslog_collector_relp_error_answers_total",
            "RELP commands answered 500, by reason.",
            true,
            [Labels(("reason", "oversize")), Labels(("reason", "refused"))]));

        // The Collector's unlabelled families: RELP, connections, queue, storage, sources, relays overall, process.
        for (int i = 0; i < 39; i++)
        {
            families.Add(new(
                $"kubesyslog_collector_unlabelled_{i}{(i % 3 == 0 ? "" : "_total")}",
                "One value of the Collector, with a help line of typical length.",
                i % 3 != 0,
                [Labels()]));
        }

        for (int i = 0; i < 13; i++)
        {
            families.Add(new(
                $"kubesyslog_collector_relay_series_{i}{(i % 2 == 0 ? "_total" : "")}",
                "One value per relay, with a help line of typical length.",
                i % 2 == 0,
                [.. Enumerable.Range(0, relays).Select(r => Labels(("relay", $"relay-{r}")))]));
        }

        Families = families;
    }

    public IReadOnlyList<Family> Families { get; }

    /// <summary>Every value grows, as between two scrapes of a busy Collector.</summary>
    public void Advance()
    {
        foreach (var family in Families)
        {
            foreach (var series in family.Series)
            {
                series.Value += 1017;
            }
        }
    }

    private static Series Labels(params (string Name, string Value)[] labels) => new(labels) { Value = 123_456 };

    public sealed record Family(string Name, string Help, bool Counter, Series[] Series);

    public sealed class Series((string Name, string Value)[] labels)
    {
        public (string Name, string Value)[] Labels { get; } = labels;

        public double Value { get; set; }
    }
}
