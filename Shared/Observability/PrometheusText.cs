using System.Globalization;
using System.Text;

namespace Shared.Observability;

/// <summary>
/// The Prometheus text exposition format (version 0.0.4), written by hand: prometheus-net is not available here and
/// counters and gauges are all we need.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private string? _current;

    public PrometheusText Counter(string name, string help, double value, params (string Name, string Value)[] labels) =>
        Sample(name, "counter", help, value, labels);

    public PrometheusText Gauge(string name, string help, double value, params (string Name, string Value)[] labels) =>
        Sample(name, "gauge", help, value, labels);

    public override string ToString() => _text.ToString();

    private PrometheusText Sample(string name, string type, string help, double value, (string Name, string Value)[] labels)
    {
        if (_current != name)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            _current = name;
        }

        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                _text.Append(i > 0 ? "," : string.Empty).Append(labels[i].Name).Append("=\"")
                    .Append(labels[i].Value
                        .Replace("\\", "\\\\", StringComparison.Ordinal)
                        .Replace("\"", "\\\"", StringComparison.Ordinal)
                        .Replace("\n", "\\n", StringComparison.Ordinal))
                    .Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }
}
