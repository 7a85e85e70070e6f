using Collector.Search;
using Collector.Search.Pipeline;

namespace Collector.Tests.Search.Pipeline;

/// <summary>Runs a query's pipeline over one line with given stream labels, as the searches do.</summary>
internal static class Piped
{
    public static PipelineLine? Run(string query, string line, params (string Name, string Value)[] stream)
    {
        var parsed = QueryParser.Parse(query);
        Assert.NotNull(parsed.Pipeline);
        return parsed.Pipeline!.Run(0, line, stream.Select(s => new KeyValuePair<string, string>(s.Name, s.Value)));
    }

    /// <summary>
    /// The labels after the pipeline as <c>name=value</c> pairs sorted by name (the error pair included).
    /// </summary>
    public static string[] Labels(string query, string line, params (string Name, string Value)[] stream)
    {
        var result = Run(query, line, stream);
        Assert.NotNull(result);
        return [.. result!.Result().Select(l => $"{l.Key}={l.Value}")];
    }
}
