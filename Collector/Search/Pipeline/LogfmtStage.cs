using System.Text;

namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| logfmt</c> (Loki's <c>LogfmtParser</c>): each <c>key=value</c> becomes a label, bare keys and empty values
/// only with <c>--keep-empty</c>. Without <c>--strict</c> bad pairs are skipped and the line never gets an error; with
/// it, parsing stops at the first bad pair and the line gets <c>__error__=LogfmtParserErr</c> and the decoder's message
/// (<c>logfmt syntax error at pos 8 : unexpected '='</c>). With parameters (<c>| logfmt a, b="key"</c>) only those
/// keys are extracted, under those names.
/// </summary>
public sealed class LogfmtStage(bool strict, bool keepEmpty, IReadOnlyList<(string Name, string Key)>? expressions) : PipelineStage
{
    public bool Strict => strict;

    public bool KeepEmpty => keepEmpty;

    public override bool Process(PipelineLine line)
    {
        if (expressions is not null)
        {
            foreach (var (name, _) in expressions)
            {
                if (!line.BaseHas(name))
                {
                    line.Set(name, string.Empty);
                }
            }
        }

        var decoder = new LogfmtDecoder(Encoding.UTF8.GetBytes(line.Line));
        while (!decoder.AtEnd)
        {
            if (!decoder.ScanKeyval())
            {
                if (strict)
                {
                    break;
                }

                continue;
            }

            string key = LabelNames.Sanitize(Encoding.UTF8.GetString(decoder.Key));
            if (key.Length == 0)
            {
                continue;
            }

            string? value = decoder.Value;
            if (expressions is not null)
            {
                foreach (var (name, wanted) in expressions)
                {
                    if (wanted == key)
                    {
                        line.Set(line.ExtractedName(name), value ?? string.Empty);
                    }
                }

                continue;
            }

            if (value is null && !keepEmpty)
            {
                continue;
            }

            line.Set(line.ExtractedName(key), (value ?? string.Empty).Replace('\uFFFD', ' '));
        }

        if (strict && decoder.Error is { } error)
        {
            line.SetError(PipelineErrors.Logfmt, error);
        }

        return true;
    }
}
