using System.Text.Json;

namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| unpack</c> (Loki's <c>UnpackParser</c>, the reverse of Promtail's <c>pack</c>): in a JSON object with an
/// <c>_entry</c> string, <c>_entry</c> becomes the line and the other string fields become labels. Without
/// <c>_entry</c> nothing changes; a line that does not start with <c>{</c> gets <c>__error__=JSONParserErr</c>.
/// </summary>
public sealed class UnpackStage : PipelineStage
{
    public const string PackedEntryKey = "_entry";

    public override bool Process(PipelineLine line)
    {
        string text = line.Line;
        if (text.Length == 0)
        {
            return true;
        }

        if (text[0] != '{')
        {
            line.SetError(PipelineErrors.Json, "expecting json object(6), but it is not");
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            line.SetError(PipelineErrors.Json, JsonStage.MalformedObject);
            return true;
        }

        using (document)
        {
            string? entry = null;
            var labels = new List<(string, string)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                if (property.Name == PackedEntryKey)
                {
                    entry = property.Value.GetString();
                    continue;
                }

                // As Loki: the collision is checked on the name as written, then the name is sanitised.
                string name = line.BaseHas(property.Name) ? property.Name + PipelineLine.DuplicateSuffix : property.Name;
                labels.Add((LabelNames.Sanitize(name), property.Value.GetString()!));
            }

            if (entry is not null)
            {
                line.Line = entry;
                line.LineChanged = true;
                foreach (var (name, value) in labels)
                {
                    line.Set(name, value);
                }
            }
        }

        return true;
    }
}
