using System.Text.Json;

namespace Collector.Search.Pipeline;

/// <summary>
/// <c>| json name="path", other</c> (Loki's <c>JSONExpressionParser</c>): each label gets the value at its path,
/// <c>a.b</c>, <c>a[0]</c>, <c>["a b"]</c>; strings unescaped, numbers as written, objects and arrays as their JSON
/// text, null and a missing path as "". A line that does not start with <c>{</c>, <c>[</c> or <c>"</c> gets
/// <c>__error__=JSONParserErr</c>.
/// </summary>
public sealed class JsonPathStage(IReadOnlyList<(string Name, IReadOnlyList<object> Path)> expressions) : PipelineStage
{
    public IReadOnlyList<(string Name, IReadOnlyList<object> Path)> Expressions => expressions;

    public override bool Process(PipelineLine line)
    {
        string text = line.Line;
        if (text.Length == 0)
        {
            return true;
        }

        if (text[0] is not ('"' or '{' or '['))
        {
            line.SetError(PipelineErrors.Json, null);
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
            foreach (var (name, path) in expressions)
            {
                if (Find(document.RootElement, path) is { } element)
                {
                    line.Set(line.ExtractedName(name), ValueOf(element));
                }
                else if (!line.TryGet(name, out _))
                {
                    line.Set(name, string.Empty);
                }
            }
        }

        return true;
    }

    private static JsonElement? Find(JsonElement element, IReadOnlyList<object> path)
    {
        foreach (object step in path)
        {
            if (step is string key && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out var child))
            {
                element = child;
            }
            else if (step is int index && element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    private static string ValueOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Null => string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => element.GetRawText(),
    };
}
