using System.Text;
using System.Text.Json;

namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| json</c> without parameters (Loki's <c>JSONParser</c>): every string, number and boolean of the object becomes
/// a label; nested objects are flattened with <c>_</c> (<c>{"pod":{"uid":"x"}}</c> gives <c>pod_uid</c>); arrays and
/// nulls are skipped. A line that is not a JSON object gets <c>__error__=JSONParserErr</c>; the labels read before the
/// error stay.
/// </summary>
public sealed class JsonStage : PipelineStage
{
    /// <summary>github.com/grafana/jsonparser's messages, which Loki puts in <c>__error_details__</c>.</summary>
    public const string MalformedObject = "Value looks like object, but can't find closing '}' symbol";

    public const string MalformedString = "Value is string, but can't find closing '\"' symbol";

    public const string MalformedValue = "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";

    public override bool Process(PipelineLine line)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(line.Line);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var prefix = new List<string>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                line.SetError(PipelineErrors.Json, MalformedObject);
                return true;
            }

            ReadObject(ref reader, prefix, line);
        }
        catch (JsonException)
        {
            line.SetError(PipelineErrors.Json, reader.TokenType is JsonTokenType.PropertyName ? MalformedValue : MalformedObject);
        }

        return true;
    }

    private static void ReadObject(ref Utf8JsonReader reader, List<string> prefix, PipelineLine line)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    Set(line, prefix, key, reader.GetString()!);
                    break;
                case JsonTokenType.Number:
                    Set(line, prefix, key, Encoding.UTF8.GetString(reader.ValueSpan));
                    break;
                case JsonTokenType.True:
                    Set(line, prefix, key, "true");
                    break;
                case JsonTokenType.False:
                    Set(line, prefix, key, "false");
                    break;
                case JsonTokenType.StartObject:
                    prefix.Add(key);
                    ReadObject(ref reader, prefix, line);
                    prefix.RemoveAt(prefix.Count - 1);
                    break;
                case JsonTokenType.StartArray:
                    reader.Skip();
                    break;
                default:
                    break;
            }
        }
    }

    private static void Set(PipelineLine line, List<string> prefix, string key, string value)
    {
        string name;
        if (prefix.Count == 0)
        {
            name = LabelNames.Sanitize(key);
        }
        else
        {
            var builder = new StringBuilder();
            foreach (string part in prefix)
            {
                LabelNames.AppendPart(builder, part);
            }

            LabelNames.AppendPart(builder, key);
            name = builder.ToString();
        }

        if (name.Length == 0)
        {
            return;
        }

        line.Set(line.ExtractedName(name), value);
    }
}
