using System.CommandLine;
using Collector.Configuration;
using Collector.Search;
using Collector.Storage.Index;
using Microsoft.Extensions.Logging.Abstractions;
using Shared.Configuration;

namespace Collector.Commands;

/// <summary>
/// <c>Collector query QUERY</c> and <c>Collector tail QUERY</c>: search and follow the local messages files with the
/// API's search engine, for <c>kubectl exec deploy/log-collector -- kube-syslog query …</c> without port-forwarding.
/// They only read: indexes are used, never saved (<see cref="IndexStore.ReadOnly"/>).
/// </summary>
public static class LocalCommands
{
    public static bool Handles(IReadOnlyList<string> args) => args.Count > 0 && args[0] is "query" or "tail";

    /// <param name="args">The arguments, the command's name first.</param>
    /// <param name="output">Where lines go (stdout).</param>
    /// <param name="error">Where errors go (stderr).</param>
    /// <param name="terminal">Whether <paramref name="output"/> is a terminal (colours with --color auto).</param>
    /// <param name="cancellationToken">Ends a tail (Ctrl-C, SIGTERM).</param>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        var file = new Option<string?>("--file")
        {
            HelpName = "PATH",
            Description = "the messages file (default: the Collector's own setting, Collector__File in the image)",
        };
        var color = new Option<string>("--color")
        {
            HelpName = "WHEN",
            Description = "auto (when stdout is a terminal and NO_COLOR is not set), always or never",
            DefaultValueFactory = _ => "auto",
        };
        color.AcceptOnlyFromAmong("auto", "always", "never");
        var since = new Option<string>("--since")
        {
            HelpName = "DURATION",
            Description = "how far back to search: 30m, 1h, 7d is 168h",
            DefaultValueFactory = _ => "1h",
        };
        var limit = new Option<int>("--limit")
        {
            HelpName = "N",
            Description = "print at most the newest N matching lines, oldest first",
            DefaultValueFactory = _ => 1000,
        };
        var lines = new Option<int>("--lines", "-n")
        {
            HelpName = "N",
            Description = "the last N matching lines to print before following",
            DefaultValueFactory = _ => 10,
        };
        var queryText = new Argument<string>("QUERY") { Description = "LogQL: '{namespace=\"shop\"} |= \"error\"'" };
        var tailText = new Argument<string>("QUERY") { Description = "LogQL: '{pod=~\"web-.*\"}'" };
        var query = new Command("query", "print the stored lines that match, message first") { queryText, since, limit, file, color };
        var tail = new Command("tail", "print the last matching lines, then every new one until interrupted") { tailText, lines, file, color };
        var root = new RootCommand("kube-syslog Collector: search the local messages files") { query, tail };

        query.SetAction(async (result, token) =>
        {
            if (!TrySetUp(result.GetValue(file), result.GetValue(queryText)!, error, out var setUp))
            {
                return 1;
            }

            if (ConfigValue.ParseDuration(result.GetValue(since)!) is not (true, var range) || range <= TimeSpan.Zero)
            {
                await error.WriteLineAsync($"Collector query: --since must be a duration such as 30m or 1h, was '{result.GetValue(since)}'");
                return 1;
            }

            int max = result.GetValue(limit);
            if (max < 1)
            {
                await error.WriteLineAsync($"Collector query: --limit must be 1 or more, was {max}");
                return 1;
            }

            using (setUp)
            {
                return await QueryCommand.RunAsync(setUp, range, max, Colour(result.GetValue(color)!, terminal), output, error, token);
            }
        });
        tail.SetAction(async (result, token) =>
        {
            if (!TrySetUp(result.GetValue(file), result.GetValue(tailText)!, error, out var setUp))
            {
                return 1;
            }

            int last = result.GetValue(lines);
            if (last < 0)
            {
                await error.WriteLineAsync($"Collector tail: --lines must be 0 or more, was {last}");
                return 1;
            }

            using (setUp)
            {
                return await TailCommand.RunAsync(setUp, last, Colour(result.GetValue(color)!, terminal), output, token);
            }
        });
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static bool Colour(string when, bool terminal) => when switch
    {
        "always" => true,
        "never" => false,
        _ => terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")),
    };

    /// <summary>The query parsed and the read side over the messages file; false (and why, on stderr) if not.</summary>
    private static bool TrySetUp(string? file, string text, TextWriter error, out LocalSearch setUp)
    {
        setUp = null!;
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(file is null ? [] : [new($"{CollectorOptions.Section}:File", file)])
            .Build();
        var options = CollectorOptionsReader.Read(configuration, out var errors);
        if (errors.Count > 0)
        {
            error.WriteLine($"Collector: configuration error: {errors[0]}");
            return false;
        }

        if (!File.Exists(options.File))
        {
            error.WriteLine($"Collector: no messages file at {Path.GetFullPath(options.File)} (--file PATH names another)");
            return false;
        }

        LogQuery query;
        try
        {
            query = QueryParser.Parse(text);
        }
        catch (QueryParseException ex)
        {
            error.WriteLine($"Collector: bad query '{text}': {ex.Message}");
            return false;
        }

        var store = new IndexStore(options, TimeProvider.System, NullLogger<IndexStore>.Instance) { ReadOnly = true };
        var gate = new ReadGate();
        setUp = new LocalSearch(options.File, query, store, gate, new SearchEngine(store, gate, TimeProvider.System));
        return true;
    }
}

/// <summary>What both commands search with.</summary>
public sealed record LocalSearch(string File, LogQuery Query, IndexStore Store, ReadGate Gate, SearchEngine Engine) : IDisposable
{
    public void Dispose() => Gate.Dispose();
}
