namespace Collector.Search.Pipeline;

/// <summary>
/// The paths of <c>| json name="path"</c> (Loki's pkg/logql/log/jsonexpr): <c>a.b.c</c>, <c>a[0]</c>,
/// <c>["key with spaces"]</c>, <c>a.b[1]["c"]</c>; each step is a string (a key) or an int (an index).
/// </summary>
public static class JsonPath
{
    public static IReadOnlyList<object> Parse(string expression, int position)
    {
        var steps = new List<object>();
        int i = 0;
        bool expectField = true;
        while (i < expression.Length)
        {
            char c = expression[i];
            if (c == '[')
            {
                int close = expression.IndexOf(']', i);
                if (close < 0)
                {
                    throw Error(expression, "'[' is not closed", position);
                }

                string inside = expression[(i + 1)..close].Trim();
                if (inside.Length >= 2 && inside[0] == '"' && inside[^1] == '"')
                {
                    steps.Add(inside[1..^1]);
                }
                else if (int.TryParse(
                    inside, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                {
                    steps.Add(index);
                }
                else
                {
                    throw Error(expression, $"'[{inside}]' is neither an index nor a \"key\"", position);
                }

                i = close + 1;
                expectField = false;
                continue;
            }

            if (c == '.')
            {
                if (expectField)
                {
                    throw Error(expression, "unexpected '.'", position);
                }

                i++;
                expectField = true;
                continue;
            }

            int start = i;
            while (i < expression.Length && expression[i] is not ('.' or '[' or ']' or '"') && !char.IsWhiteSpace(expression[i]))
            {
                i++;
            }

            if (i == start || !expectField)
            {
                throw Error(expression, $"unexpected '{expression[i]}'", position);
            }

            steps.Add(expression[start..i]);
            expectField = false;
        }

        if (steps.Count == 0 || expectField)
        {
            throw Error(expression, "the path is empty or ends with '.'", position);
        }

        return steps;
    }

    private static QueryParseException Error(string expression, string reason, int position) =>
        new($"json: cannot parse expression [{expression}]: {reason}", position);
}
