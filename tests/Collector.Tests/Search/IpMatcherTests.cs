using System.Text;
using Collector.Search;
using Collector.Tests.Search.Pipeline;

namespace Collector.Tests.Search;

/// <summary>
/// <c>ip("…")</c> as Loki's docs/sources/query/ip.md and pkg/logql/log/ip_test.go define it: one address, a CIDR or a
/// range, IPv4 or IPv6, found anywhere in a line (line filter) or in a label's value (label filter).
/// </summary>
public sealed class IpMatcherTests
{
    [Theory]
    [InlineData("192.168.4.5", "from 192.168.4.5 port 22", true)]
    [InlineData("192.168.4.5", "from 192.168.4.50 port 22", false)]
    [InlineData("192.168.4.5/16", "from 192.168.200.1", true)]
    [InlineData("192.168.4.5/16", "from 192.169.0.1", false)]
    [InlineData("192.168.4.5-192.168.4.20", "192.168.4.20 - - [17/May/2015]", true)]
    [InlineData("192.168.4.5-192.168.4.20", "192.168.4.21 - - [17/May/2015]", false)]
    [InlineData("10.0.0.0/8", "a=1.2.3.4 b=10.9.8.7", true)]
    [InlineData("10.0.0.0/8", "version 10.0.1 and 010.1.1.1", false)]
    [InlineData("0.0.0.0/0", "no address here", false)]
    [InlineData("2001:db8::1-2001:db8::8", "remote_addr=2001:db8::5 level=error", true)]
    [InlineData("2001:db8::1-2001:db8::8", "remote_addr=2001:db8::9 level=error", false)]
    [InlineData("2001:db8::/32", "peer [2001:db8:ffff::1]:443", true)]
    [InlineData("::1", "connect ::1 refused", true)]
    [InlineData("::/0", "ipv4 only 127.0.0.1", false)]
    [InlineData("127.0.0.0/8", "ipv6 only ::1", false)]
    public void FindsAnAddressInTheTextWithinThePattern(string pattern, string text, bool matches)
    {
        var matcher = IpMatcher.Create(pattern, out string? error);
        Assert.Null(error);
        Assert.Equal(matches, matcher!.MatchesIn(text));
        Assert.Equal(matches, matcher.MatchesIn(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.01")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.9-10.0.0.1")]
    [InlineData("10.0.0.1 - 10.0.0.9")]
    [InlineData("10.0.0.1-::1")]
    [InlineData("fe80::1%eth0")]
    public void RefusesWhatIsNotAnAddressCidrOrRange(string pattern)
    {
        Assert.Null(IpMatcher.Create(pattern, out string? error));
        Assert.Equal(
            $"ip: invalid pattern: \"{pattern}\" (an address, a CIDR such as 10.0.0.0/8, or a range such as 10.0.0.1-10.0.0.255; IPv4 or IPv6)",
            error);
    }

    [Theory]
    [InlineData("{app=\"x\"} |= ip(\"192.168.0.0/16\")", "GET from 192.168.1.7", true)]
    [InlineData("{app=\"x\"} |= ip(\"192.168.0.0/16\")", "GET from 10.1.1.7", false)]
    [InlineData("{app=\"x\"} != ip(\"192.168.0.0/16\")", "GET from 10.1.1.7", true)]
    [InlineData("{app=\"x\"} |= ip(`10.0.0.1`) or \"localhost\"", "GET from localhost", true)]
    [InlineData("{app=\"x\"} |= ip( \"10.0.0.1\" ) or ip(\"10.0.0.2\")", "GET from 10.0.0.2", true)]
    [InlineData("{app=\"x\"} != ip(\"10.0.0.1\") or ip(\"10.0.0.2\")", "GET from 10.0.0.2", false)]
    public void IpLineFiltersTestTheLine(string query, string line, bool matches)
    {
        var filters = QueryParser.Parse(query).Terms[0].Filters;
        Assert.Equal(matches, filters.All(f => f.Matches(Encoding.UTF8.GetBytes(line)) && f.Matches(line)));
    }

    [Theory]
    [InlineData("addr = ip(\"10.0.0.1-10.0.0.255\")", "addr=10.0.0.42", true)]
    [InlineData("addr = ip(\"10.0.0.1-10.0.0.255\")", "addr=10.0.1.42", false)]
    [InlineData("addr != ip(\"10.0.0.1-10.0.0.255\")", "addr=10.0.1.42", true)]
    [InlineData("addr != ip(\"10.0.0.1-10.0.0.255\")", "other=1", false)]
    [InlineData("addr = ip(\"192.168.4.0/24\") or addr = ip(\"10.10.15.0/24\")", "addr=10.10.15.3", true)]
    [InlineData("remote_addr = ip(\"2001:db8::1-2001:db8::8\") | level = \"error\"", "remote_addr=2001:db8::2 level=error", true)]
    public void IpLabelFiltersTestTheLabelsValue(string filter, string line, bool kept)
    {
        Assert.Equal(kept, Piped.Run($"{{app=\"x\"}} | logfmt | {filter}", line) is not null);
    }

    [Fact]
    public void ALineWithAParserErrorPassesAnIpLabelFilterAsInLoki()
    {
        Assert.Contains("__error__=JSONParserErr", Piped.Labels("{app=\"x\"} | json | addr = ip(\"10.0.0.1\")", "not json"));
    }

    [Theory]
    [InlineData("{app=\"x\"} |= ip(\"nonsense\")", 13)]
    [InlineData("{app=\"x\"} | addr = ip(\"10.0.0.1/99\")", 19)]
    public void ABadAddressIsAParseErrorAtTheIpCall(string query, int position)
    {
        var ex = Assert.Throws<QueryParseException>(() => QueryParser.Parse(query));
        Assert.Contains("ip: invalid pattern", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
    }

    [Theory]
    [InlineData("{app=\"x\"} |~ ip(\"10.0.0.1\")", "ip: invalid operation: ip() filters lines with |= and != only")]
    [InlineData("{app=\"x\"} |= ip(\"10.0.0.1\"", "ip: expected ')', found the end of the query")]
    [InlineData("{app=\"x\"} |= ip 10.0.0.1", "ip: expected '(' and a quoted address, CIDR or range, found '1'")]
    public void AMalformedIpCallSaysWhy(string query, string reason)
    {
        Assert.Equal(reason, Assert.Throws<QueryParseException>(() => QueryParser.Parse(query)).Reason);
    }
}
