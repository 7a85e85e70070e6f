using System.Globalization;

namespace Collector.Search.Pipeline;

public enum UnwrapConversion
{
    Number,
    Duration,
    Bytes,
}

/// <summary>
/// <c>| unwrap latency</c>, <c>| unwrap duration(latency)</c>, <c>| unwrap bytes(size)</c> at the end of a range
/// aggregation's pipeline, with the label filters after it (pkg/logql/log/metrics_extraction.go): the sample of a line
/// is the label's value as a number; the label itself leaves the series' labels. A value that does not convert sets
/// <c>__error__=SampleExtractionErr</c>.
/// </summary>
public sealed class Unwrap(string label, UnwrapConversion conversion, IReadOnlyList<PipelineStage> postFilters)
{
    public const string SampleExtractionError = "SampleExtractionErr";

    public string Label => label;

    public UnwrapConversion Conversion => conversion;

    /// <summary>The sample of a line the pipeline kept, or null when a post filter drops it.</summary>
    public double? Sample(PipelineLine line)
    {
        string text = line.Get(label);
        if (text.Length == 0)
        {
            // Loki: a line without the label has no sample (grafana/loki#6713).
            return null;
        }

        double value = 0;
        string? error = null;
        switch (conversion)
        {
            case UnwrapConversion.Duration:
                if (GoDuration.TryParse(text, allowDays: false, out long ns))
                {
                    value = ns / 1e9;
                }
                else
                {
                    error = $"time: invalid duration {NumericLabelFilter.GoQuote(text)}";
                }

                break;
            case UnwrapConversion.Bytes:
                if (HumanBytes.TryParse(text, out ulong bytes, out string bytesError))
                {
                    value = bytes;
                }
                else
                {
                    error = bytesError;
                }

                break;
            default:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                    || text.Contains(' ', StringComparison.Ordinal))
                {
                    value = 0;
                    error = $"strconv.ParseFloat: parsing {NumericLabelFilter.GoQuote(text)}: invalid syntax";
                }

                break;
        }

        if (error is not null)
        {
            line.SetError(SampleExtractionError, error);
        }

        foreach (var filter in postFilters)
        {
            if (!filter.Process(line))
            {
                return null;
            }
        }

        // The series' labels leave the unwrapped one out; the post filters still saw it.
        line.Delete(label);
        return value;
    }
}
