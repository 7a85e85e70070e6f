using System.Globalization;
using System.Text;

namespace Collector.Search.Pipeline;

/// <summary>
/// Go's fmt for templates: <c>printf</c> with the verbs <c>%s %v %d %f %e %g %q %x %t %%</c>, width, precision and the
/// <c>-</c>, <c>0</c> and <c>+</c> flags; and %v of a float64 (strconv's shortest form, exponent below 1e-4 and from
/// 1e21).
/// </summary>
public static class GoFormat
{
    public static string FormatFloat(double d)
    {
        if (double.IsPositiveInfinity(d))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(d))
        {
            return "-Inf";
        }

        if (double.IsNaN(d))
        {
            return "NaN";
        }

        double abs = Math.Abs(d);
        if (abs != 0 && (abs < 1e-4 || abs >= 1e21))
        {
            string e = d.ToString("E16", CultureInfo.InvariantCulture);
            string r = d.ToString("R", CultureInfo.InvariantCulture);

            // "1E+21" → "1e+21", "1.5E-05" → "1.5e-05": Go writes at least two exponent digits.
            int at = r.IndexOf('E', StringComparison.Ordinal);
            if (at < 0)
            {
                return e;
            }

            string mantissa = r[..at];
            string exponent = r[(at + 1)..];
            char sign = exponent[0] == '-' ? '-' : '+';
            string digits = exponent.TrimStart('+', '-').PadLeft(2, '0');
            return $"{mantissa}e{sign}{digits}";
        }

        return d.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var output = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }

            bool left = false, zero = false, plus = false;
            for (; i < format.Length && format[i] is '-' or '0' or '+' or ' ' or '#'; i++)
            {
                left |= format[i] == '-';
                zero |= format[i] == '0';
                plus |= format[i] == '+';
            }

            int width = ReadInt(format, ref i);
            int precision = -1;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = Math.Max(0, ReadInt(format, ref i));
            }

            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }

            char verb = format[i];
            if (verb == '%')
            {
                output.Append('%');
                continue;
            }

            if (next >= args.Count)
            {
                output.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            string text = Verb(verb, args[next++], precision, plus);
            if (text.Length < width)
            {
                text = left ? text.PadRight(width) : zero && verb is 'd' or 'f' or 'x' ? text.PadLeft(width, '0') : text.PadLeft(width);
            }

            output.Append(text);
        }

        if (next < args.Count)
        {
            output.Append("%!(EXTRA ")
                .Append(string.Join(", ", args.Skip(next).Select(a => $"{TypeName(a)}={TemplateFunctions.Print(a)}")))
                .Append(')');
        }

        return output.ToString();
    }

    private static string Verb(char verb, object? arg, int precision, bool plus)
    {
        switch (verb)
        {
            case 's' or 'v':
                string s = TemplateFunctions.Print(arg);
                return precision >= 0 && verb == 's' && s.Length > precision ? s[..precision] : s;
            case 'q':
                return "\"" + TemplateFunctions.Print(arg)
                    .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                    .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
            case 't' when arg is bool b:
                return b ? "true" : "false";
            case 'd' when arg is long l:
                return (plus && l >= 0 ? "+" : string.Empty) + l.ToString(CultureInfo.InvariantCulture);
            case 'x' when arg is long l:
                return l.ToString("x", CultureInfo.InvariantCulture);
            case 'x' when arg is string xs:
                return Convert.ToHexStringLower(Encoding.UTF8.GetBytes(xs));
            case 'f' or 'F' when arg is double or long:
                double f = arg is long fl ? fl : (double)arg;
                return (plus && f >= 0 ? "+" : string.Empty)
                    + f.ToString("F" + (precision < 0 ? 6 : precision).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            case 'e' when arg is double or long:
                double e = arg is long el ? el : (double)arg;
                string text = e.ToString(
                    (precision < 0 ? 6 : precision) is int p ? "0." + new string('0', p) + "e+00" : "e",
                    CultureInfo.InvariantCulture);
                return text;
            case 'g' when arg is double or long:
                return FormatFloat(arg is long gl ? gl : (double)arg);
            default:
                return $"%!{verb}({TypeName(arg)}={TemplateFunctions.Print(arg)})";
        }
    }

    private static string TypeName(object? arg) => arg switch
    {
        string => "string",
        long => "int64",
        double => "float64",
        bool => "bool",
        null => "<nil>",
        _ => "value",
    };

    private static int ReadInt(string format, ref int i)
    {
        int start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : 0;
    }
}
