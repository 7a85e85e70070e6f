namespace Collector.Search.Pipeline;

/// <summary>
/// One line going through a <see cref="LogPipeline"/>: the current line text, its labels (the stream's, then what
/// parsers extracted or formats set) and Loki's error pair (<c>__error__</c>, <c>__error_details__</c>). The stream
/// labels a line started with stay its "base" for Loki's collision rule: a parser that extracts a name the base already
/// has adds <c>_extracted</c> to it (pkg/logql/log/parser.go, <c>duplicateSuffix</c>).
/// </summary>
public sealed class PipelineLine
{
    public const string ErrorLabel = "__error__";
    public const string ErrorDetailsLabel = "__error_details__";
    public const string DuplicateSuffix = "_extracted";

    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _base = new(StringComparer.Ordinal);

    public PipelineLine(long timeNs, string line, IEnumerable<KeyValuePair<string, string>> stream)
    {
        TimeNs = timeNs;
        Line = line;
        foreach (var (name, value) in stream)
        {
            _labels[name] = value;
            _base.Add(name);
        }
    }

    public long TimeNs { get; }

    /// <summary>A copy with the same labels and line, as the templates of one label_format stage see them.</summary>
    public PipelineLine Snapshot()
    {
        var copy = new PipelineLine(TimeNs, Line, _labels) { Error = Error, ErrorDetails = ErrorDetails };
        return copy;
    }

    public string Line { get; set; }

    /// <summary>A stage replaced the line (line_format, decolorize, unpack's <c>_entry</c>).</summary>
    public bool LineChanged { get; set; }

    /// <summary>
    /// Loki's <c>__error__</c>: empty, or JSONParserErr, LogfmtParserErr, LabelFilterErr, TemplateFormatErr.
    /// </summary>
    public string Error { get; private set; } = string.Empty;

    public string ErrorDetails { get; private set; } = string.Empty;

    public bool HasError => Error.Length > 0;

    public IReadOnlyDictionary<string, string> Labels => _labels;

    /// <summary>The line started with a stream label of this name.</summary>
    public bool BaseHas(string name) => _base.Contains(name);

    /// <summary>The name a parser stores an extracted value under.</summary>
    public string ExtractedName(string name) => _base.Contains(name) ? name + DuplicateSuffix : name;

    public bool TryGet(string name, out string value)
    {
        if (name == ErrorLabel)
        {
            value = Error;
            return Error.Length > 0;
        }

        if (name == ErrorDetailsLabel)
        {
            value = ErrorDetails;
            return ErrorDetails.Length > 0;
        }

        return _labels.TryGetValue(name, out value!);
    }

    /// <summary>The value, "" when absent (as a Prometheus matcher sees a missing label).</summary>
    public string Get(string name) => TryGet(name, out string value) ? value : string.Empty;

    public void Set(string name, string value)
    {
        if (name == ErrorLabel)
        {
            Error = value;
        }
        else if (name == ErrorDetailsLabel)
        {
            ErrorDetails = value;
        }
        else
        {
            _labels[name] = value;
        }
    }

    public void Delete(string name)
    {
        if (name == ErrorLabel)
        {
            Error = string.Empty;
        }
        else if (name == ErrorDetailsLabel)
        {
            ErrorDetails = string.Empty;
        }
        else
        {
            _labels.Remove(name);
        }
    }

    /// <summary>Loki's <c>addErrLabel</c>: a parser's error replaces an earlier one.</summary>
    public void SetError(string error, string? details)
    {
        Error = error;
        if (details is not null)
        {
            ErrorDetails = details;
        }
    }

    /// <summary>The final label set, sorted by name, with the error pair when set.</summary>
    public KeyValuePair<string, string>[] Result()
    {
        var result = new List<KeyValuePair<string, string>>(_labels.Count + 2);
        result.AddRange(_labels);
        if (Error.Length > 0)
        {
            result.Add(new(ErrorLabel, Error));
        }

        if (ErrorDetails.Length > 0)
        {
            result.Add(new(ErrorDetailsLabel, ErrorDetails));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return [.. result];
    }
}
