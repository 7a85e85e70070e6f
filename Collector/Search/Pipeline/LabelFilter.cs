namespace Collector.Search.Pipeline;

public enum CompareOp
{
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// <summary>A label filter after the selector (pkg/logql/log/label_filter.go).</summary>
public abstract class LabelFilter
{
    public abstract bool Test(PipelineLine line);

    protected static bool Compare<T>(CompareOp op, T value, T wanted)
        where T : IComparable<T>
    {
        int c = value.CompareTo(wanted);
        return op switch
        {
            CompareOp.Equal => c == 0,
            CompareOp.NotEqual => c != 0,
            CompareOp.Greater => c > 0,
            CompareOp.GreaterOrEqual => c >= 0,
            CompareOp.Less => c < 0,
            _ => c <= 0,
        };
    }

    /// <summary>
    /// Numeric, duration and bytes filters alike: a missing label drops the line; a value that does not convert keeps
    /// it and sets <c>__error__=LabelFilterErr</c> unless an error is already set.
    /// </summary>
    protected static bool TestConverted<T>(
        PipelineLine line, string name, Func<string, (bool Ok, T Value, string Error)> convert, CompareOp op, T wanted)
        where T : IComparable<T>
    {
        if (!line.TryGet(name, out string text))
        {
            return false;
        }

        var (ok, value, error) = convert(text);
        if (!ok)
        {
            if (!line.HasError)
            {
                line.SetError(PipelineErrors.LabelFilter, error);
            }

            return true;
        }

        return Compare(op, value, wanted);
    }
}
