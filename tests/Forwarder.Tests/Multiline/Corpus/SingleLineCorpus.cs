using System.Globalization;

namespace Forwarder.Tests.Multiline.Corpus;

/// <summary>
/// Single-line logs in the shapes containers write (see README.md next to this file): seeded, so every run checks the
/// same 52,000 lines.
/// </summary>
internal static class SingleLineCorpus
{
    public const int Size = 52_000;

    private static readonly string[] Paths = ["/", "/api/v1/cart", "/api/v1/orders/4711", "/healthz", "/static/app.3f9c.js", "/login?next=%2Fcart"];
    private static readonly string[] Agents =
        ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/8.5.0", "kube-probe/1.30", "Go-http-client/1.1"];

    private static readonly string[] Words =
        ["cart", "order", "payment", "session", "user", "token", "cache", "queue", "replica", "shard", "lease", "pod"];

    private static readonly string[] Fooling =
    [
        "    at the moment 3 workers are idle (pool=default)",
        "  at least one replica must stay up (see runbook)",
        "\tconfig reloaded from /etc/app/config.yaml",
        "   retrying in 5s",
        "{\"level\":\"error\",\"msg\":\"Traceback (most recent call last):\\n  File \\\"app.py\\\", line 3\",\"logger\":\"worker\"}",
        "{\"level\":\"error\",\"stack\":\"\\tat com.shop.Cart.add(Cart.java:42)\",\"msg\":\"failed\"}",
        "I1206 09:05:32.123456       1 leaderelection.go:258] goroutine 12 [running] is holding the lease",
        "W1206 09:05:32.123456       1 reflector.go:539] Caused by user request: resync",
        "E1206 09:05:32.123456       1 runtime.go:79] Observed a panic: \"invalid memory address\" (recovered)",
        "java.net.ConnectException: Connection refused",
        "",
        "level=warn msg=\"panic: averted, falling back\" at=handler.go:88",
        "... 3 more items queued",
        "from now on requests go to shard 2",
        "Traceback collection disabled by config",
        "--- End of batch 17 ---",
        "---> forwarding to upstream",
        "main.go:42: listening on :8080",
        "fail: retry budget exhausted for order 4711",
        "Error: invalid input, expected a number",
    ];

    public static List<string> Generate(int seed = 18)
    {
        var random = new Random(seed);
        var start = new DateTime(2026, 12, 6, 9, 0, 0, DateTimeKind.Utc);
        var lines = new List<string>(Size);
        for (int i = 0; i < Size; i++)
        {
            var time = start.AddMilliseconds(i * 37.3);
            lines.Add(random.Next(10) switch
            {
                0 => Fooling[random.Next(Fooling.Length)],
                1 => NginxAccess(random, time),
                2 => NginxError(random, time),
                3 => Klog(random, time),
                4 => Json(random, time),
                5 => Logfmt(random, time),
                6 => Postgres(random, time),
                7 => Redis(random, time),
                8 => NginxAccess(random, time),
                _ => Json(random, time),
            });
        }

        return lines;
    }

    private static string Word(Random random) => Words[random.Next(Words.Length)];

    private static string Ip(Random random) => $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";

    private static string NginxAccess(Random random, DateTime time) =>
        $"{Ip(random)} - - [{time.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} +0000] "
        + $"\"{(random.Next(4) == 0 ? "POST" : "GET")} {Paths[random.Next(Paths.Length)]} HTTP/1.1\" "
        + $"{(random.Next(20) == 0 ? 502 : 200)} {random.Next(20, 90000)} \"-\" \"{Agents[random.Next(Agents.Length)]}\"";

    private static string NginxError(Random random, DateTime time) =>
        $"{time.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)} [error] 29#29: *{random.Next(100000)} connect() failed "
        + $"(111: Connection refused) while connecting to upstream, client: {Ip(random)}, server: _, "
        + $"request: \"GET {Paths[random.Next(Paths.Length)]} HTTP/1.1\", upstream: \"http://{Ip(random)}:8080/\"";

    private static string Klog(Random random, DateTime time) =>
        $"{"IWE"[random.Next(3)]}{time.ToString("MMdd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}       1 "
        + $"{Word(random)}_controller.go:{random.Next(30, 900)}] \"Reconciling\" {Word(random)}=\"shop/{Word(random)}-{random.Next(9)}\" "
        + $"duration=\"{random.Next(1, 999)}ms\"";

    private static string Json(Random random, DateTime time) =>
        $"{{\"time\":\"{time:O}\",\"level\":\"{(random.Next(8) == 0 ? "error" : "info")}\",\"msg\":\"{Word(random)} {Word(random)} done\","
        + $"\"trace_id\":\"{random.NextInt64():x16}\",\"duration_ms\":{random.Next(1, 5000)}}}";

    private static string Logfmt(Random random, DateTime time) =>
        $"time={time:O} level={(random.Next(6) == 0 ? "warn" : "info")} msg=\"{Word(random)} at {Word(random)} handled\" "
        + $"at=handler.go:{random.Next(10, 300)} user={random.Next(100000)}";

    private static string Postgres(Random random, DateTime time)
    {
        string prefix = $"{time.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC [{random.Next(30, 9000)}] ";
        return random.Next(4) switch
        {
            0 => prefix + "ERROR:  duplicate key value violates unique constraint \"orders_pkey\"",
            1 => prefix + $"DETAIL:  Key (id)=({random.Next(100000)}) already exists.",
            2 => prefix + "STATEMENT:  INSERT INTO orders (id, cart) VALUES ($1, $2)",
            _ => prefix + $"LOG:  checkpoint complete: wrote {random.Next(9000)} buffers ({random.Next(100)}.{random.Next(10)}%)",
        };
    }

    private static string Redis(Random random, DateTime time) =>
        $"1:{"MCS"[random.Next(3)]} {time.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture)} "
        + (random.Next(3) switch
        {
            0 => $"* Background saving started by pid {random.Next(100, 9000)}",
            1 => $"* {random.Next(1, 100)} changes in 60 seconds. Saving...",
            _ => "# WARNING: The TCP backlog setting of 511 cannot be enforced",
        });
}
