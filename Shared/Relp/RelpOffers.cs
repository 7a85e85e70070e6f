using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Shared.Relp;

/// <summary>
/// The offers of an <c>open</c> command and of its answer (doc/relp.md "OFFERS"): <c>NAME[=VALUE*(,VALUE)]</c> lines
/// separated by LF. librelp writes <c>relp_version</c> first, then <c>relp_software</c>, then <c>commands</c>; unknown
/// offers are ignored on both sides.
/// </summary>
public sealed record RelpOffers
{
    /// <summary>librelp's <c>RELP_CURR_PROTOCOL_VERSION</c>: what rsyslog's imrelp and omrelp speak.</summary>
    public const int ProtocolVersion = 0;

    /// <summary>The one optional command there is, and the only one we speak.</summary>
    public const string SyslogCommand = "syslog";

    /// <summary><c>relp_version</c>; null when it was not offered.</summary>
    public int? Version { get; init; }

    /// <summary><c>relp_software</c>: name, version, URL.</summary>
    public IReadOnlyList<string> Software { get; init; } = [];

    /// <summary><c>commands</c>: the optional commands offered, e.g. <c>syslog</c>.</summary>
    public IReadOnlyList<string> Commands { get; init; } = [];

    /// <summary>Offers neither side knows, by name, kept for logging.</summary>
    public IReadOnlyList<string> Unknown { get; init; } = [];

    public bool OffersSyslog => Commands.Contains(SyslogCommand, StringComparer.Ordinal);

    /// <summary>The peer names itself kube-syslog in <c>relp_software</c> (a Forwarder or Collector of ours).</summary>
    public bool IsKubeSyslog => Software.Count > 0 && Software[0] == Ours.Software[0];

    /// <summary>What we send in <c>open</c> and in its answer.</summary>
    public static RelpOffers Ours { get; } = new()
    {
        Version = ProtocolVersion,
        Software = ["kube-syslog", SoftwareVersion(), "https://github.com/kube-syslog/kube-syslog"],
        Commands = [SyslogCommand],
    };

    /// <summary>
    /// Parses offers as librelp's <c>relpOffersConstructFromFrame</c> does; false with the reason when a
    /// <c>relp_version</c> value is not a number.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RelpOffers offers, out string? error)
    {
        offers = new RelpOffers();
        error = null;
        int? version = null;
        List<string> software = [], commands = [], unknown = [];
        foreach (var range in data.Split((byte)'\n'))
        {
            var line = data[range];
            if (line.IsEmpty)
            {
                continue;
            }

            int eq = line.IndexOf((byte)'=');
            string name = Encoding.UTF8.GetString(eq < 0 ? line : line[..eq]);
            var values = new List<string>();
            if (eq >= 0)
            {
                var rest = line[(eq + 1)..];
                foreach (var part in rest.Split((byte)','))
                {
                    if (!rest[part].IsEmpty)
                    {
                        values.Add(Encoding.UTF8.GetString(rest[part]));
                    }
                }
            }

            switch (name)
            {
                case "relp_version":
                    if (values.Count == 0 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                    {
                        error = $"relp_version offer is not a number: '{(values.Count == 0 ? string.Empty : values[0])}'";
                        return false;
                    }

                    version = v;
                    break;
                case "relp_software":
                    software.AddRange(values);
                    break;
                case "commands":
                    commands.AddRange(values);
                    break;
                default:
                    unknown.Add(name);
                    break;
            }
        }

        offers = new RelpOffers { Version = version, Software = software, Commands = commands, Unknown = unknown };
        return true;
    }

    /// <summary>
    /// Writes the offers in librelp's order (<c>relp_version</c>, <c>relp_software</c>, <c>commands</c>), no trailing
    /// LF.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var text = new StringBuilder();
        if (Version is { } version)
        {
            text.Append("relp_version=").Append(version.ToString(CultureInfo.InvariantCulture));
        }

        if (Software.Count > 0)
        {
            text.Append(text.Length > 0 ? "\n" : string.Empty).Append("relp_software=").AppendJoin(',', Software);
        }

        text.Append(text.Length > 0 ? "\n" : string.Empty).Append("commands=").AppendJoin(',', Commands);
        Encoding.UTF8.GetBytes(text.ToString(), output);
    }

    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static string SoftwareVersion() =>
        typeof(RelpOffers).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
}
