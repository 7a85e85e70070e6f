using System.Net;
using Collector.Configuration;
using Collector.Storage;
using Microsoft.Extensions.Configuration;
using Serilog.Events;
using Shared.Configuration;

namespace Collector.Tests.Configuration;

public sealed class CollectorOptionsReaderTests
{
    private const string EndpointRule = "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable";

    [Fact]
    public void WithNothingConfiguredEverySettingHasItsDefault()
    {
        var options = Read(out var errors);
        Assert.Empty(errors);
        Assert.Equal(new CollectorOptions(), options);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5514), options.Tcp);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5514), options.Udp);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8083), options.Http);
        Assert.Equal(Path.Combine(".", "data", "messages"), options.File);
        Assert.Equal(LineFormat.File, options.Format);
        Assert.Equal(260 * 1024, options.MaxMessageSize);
        Assert.Equal(256L << 20, options.MaxFileSize);
        Assert.Equal(9, options.MaxFiles);
        Assert.True(options.Compress);
        Assert.Equal(4L << 30, options.MaxTotalSize);
        Assert.Equal(TimeSpan.Zero, options.FsyncInterval);
        Assert.Equal(TimeSpan.FromMinutes(30), options.IdleTimeout);
    }

    [Fact]
    public void ReadsEverySettingFromItsKey()
    {
        var options = Read(
            out var errors,
            ("Tcp", "0.0.0.0:1514"),
            ("Udp", "[::]:1515"),
            ("Http", "*:9090"),
            ("File", "/var/log/kube/messages"),
            ("Format", "traditional"),
            ("MaxMessageSize", "8KiB"),
            ("MaxConnections", "50"),
            ("IdleTimeout", "90s"),
            ("UdpReceiveBuffer", "1m"),
            ("QueueSize", "16MiB"),
            ("MaxFileSize", "1GB"),
            ("MaxFiles", "0"),
            ("Compress", "false"),
            ("MaxTotalSize", "0"),
            ("FsyncInterval", "250ms"),
            ("LogFormat", "json"),
            ("LogLevel", "warning"));
        Assert.Empty(errors);
        Assert.Equal(
            new CollectorOptions
            {
                Tcp = new IPEndPoint(IPAddress.Any, 1514),
                Udp = new IPEndPoint(IPAddress.IPv6Any, 1515),
                Http = new IPEndPoint(IPAddress.Any, 9090),
                File = "/var/log/kube/messages",
                Format = LineFormat.Traditional,
                MaxMessageSize = 8192,
                MaxConnections = 50,
                IdleTimeout = TimeSpan.FromSeconds(90),
                UdpReceiveBuffer = 1 << 20,
                QueueSize = 16L << 20,
                MaxFileSize = 1L << 30,
                MaxFiles = 0,
                Compress = false,
                MaxTotalSize = 0,
                FsyncInterval = TimeSpan.FromMilliseconds(250),
                LogFormat = "json",
                LogLevel = LogEventLevel.Warning,
            },
            options);
    }

    [Fact]
    public void KeysAreCaseInsensitiveAndValuesAreTrimmed()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("collector:maxfiles", " 5 "), new("COLLECTOR:FORMAT", " RFC5424")])
            .Build();
        var options = CollectorOptionsReader.Read(configuration, out var errors);
        Assert.Empty(errors);
        Assert.Equal(5, options.MaxFiles);
        Assert.Equal(LineFormat.Rfc5424, options.Format);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("4096B", 4096L)]
    [InlineData("64KiB", 64L * 1024)]
    [InlineData("64k", 64L * 1024)]
    [InlineData("64 KB", 64L * 1024)]
    [InlineData("8m", 8L << 20)]
    [InlineData("8MiB", 8L << 20)]
    [InlineData("2GB", 2L << 30)]
    [InlineData("2gib", 2L << 30)]
    [InlineData("3T", 3L << 40)]
    public void SizesAreBytesOrNumbersWithBinaryUnits(string text, long bytes)
    {
        Assert.True(ConfigValue.TryParseSize(text, out long parsed));
        Assert.Equal(bytes, parsed);
        var options = Read(out var errors, ("MaxTotalSize", text));
        Assert.Empty(errors);
        Assert.Equal(bytes, options.MaxTotalSize);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5MB")]
    [InlineData("10XB")]
    [InlineData("10 20")]
    [InlineData("1PB")]
    [InlineData("99999999999T")]
    [InlineData("99999999999999999999")]
    public void BadSizesAreRejectedNamingTheKeyAndTheValue(string text)
    {
        Assert.False(ConfigValue.TryParseSize(text, out _));
        Read(out var errors, ("MaxFileSize", text));
        Assert.Equal($"Collector:MaxFileSize must be a size of at least 1KiB, was '{text}'", Assert.Single(errors));
    }

    [Theory]
    [InlineData("MaxMessageSize", "479", "a size from 480 bytes to 64MiB")]
    [InlineData("MaxMessageSize", "65MiB", "a size from 480 bytes to 64MiB")]
    [InlineData("QueueSize", "32KiB", "a size from 64KiB to 4GiB")]
    [InlineData("QueueSize", "5GiB", "a size from 64KiB to 4GiB")]
    [InlineData("UdpReceiveBuffer", "2GiB", "a size up to 1GiB")]
    [InlineData("MaxFileSize", "1023", "a size of at least 1KiB")]
    public void SizesOutsideTheirRangeAreRejected(string key, string text, string rule)
    {
        Read(out var errors, (key, text));
        Assert.Equal($"Collector:{key} must be {rule}, was '{text}'", Assert.Single(errors));
    }

    [Theory]
    [InlineData("MaxMessageSize", "480")]
    [InlineData("MaxMessageSize", "64MiB")]
    [InlineData("QueueSize", "64KiB")]
    [InlineData("QueueSize", "4GiB")]
    [InlineData("UdpReceiveBuffer", "0")]
    [InlineData("UdpReceiveBuffer", "1GiB")]
    [InlineData("MaxFileSize", "1KiB")]
    public void SizesAtTheEdgesOfTheirRangeAreAccepted(string key, string text)
    {
        Read(out var errors, (key, text));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("100000h", 360_000_000_000)]
    [InlineData("00:00:05", 5000)]
    [InlineData("01:30:00", 5_400_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    public void DurationsHaveAUnitOrAreHoursMinutesSeconds(string text, long milliseconds)
    {
        var (ok, value) = ConfigValue.ParseDuration(text);
        Assert.True(ok);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        var options = Read(out var errors, ("IdleTimeout", text), ("FsyncInterval", text));
        Assert.Empty(errors);
        Assert.Equal(value, options.IdleTimeout);
        Assert.Equal(value, options.FsyncInterval);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("")]
    [InlineData("ms")]
    [InlineData("abc")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("5 s")]
    [InlineData("1e3s")]
    [InlineData("-00:00:05")]
    [InlineData("00:99:00")]
    [InlineData("NaNs")]
    [InlineData("Infinityms")]
    [InlineData("1000000000h")]
    [InlineData("99999999999999999999ms")]
    public void BadDurationsAreRejectedNamingTheKeyAndTheValue(string text)
    {
        Assert.False(ConfigValue.ParseDuration(text).Ok);
        Read(out var errors, ("IdleTimeout", text), ("FsyncInterval", text));
        Assert.Equal(
            [
                $"Collector:IdleTimeout must be a duration such as 30s, 10m or 0, was '{text}'",
                $"Collector:FsyncInterval must be a duration such as 1s or 0, was '{text}'"],
            errors);
    }

    [Theory]
    [InlineData("127.0.0.1:5514", "127.0.0.1", 5514)]
    [InlineData("10.1.2.3:0", "10.1.2.3", 0)]
    [InlineData("[::1]:5514", "::1", 5514)]
    [InlineData("[::]:65535", "::", 65535)]
    [InlineData("localhost:1", "127.0.0.1", 1)]
    [InlineData("*:514", "0.0.0.0", 514)]
    [InlineData("0.0.0.0:514", "0.0.0.0", 514)]
    public void EndpointsAreAnAddressAndAPort(string text, string address, int port)
    {
        var expected = new IPEndPoint(IPAddress.Parse(address), port);
        Assert.Equal((true, expected), ConfigValue.ParseEndpoint(text));
        var options = Read(out var errors, ("Tcp", text), ("Udp", text), ("Http", port == 0 ? text : "127.0.0.1:0"));
        Assert.Empty(errors);
        Assert.Equal(expected, options.Tcp);
        Assert.Equal(expected, options.Udp);
    }

    [Fact]
    public void AnEmptyEndpointDisablesItsListener()
    {
        var options = Read(out var errors, ("Udp", ""), ("Http", " "));
        Assert.Empty(errors);
        Assert.Null(options.Udp);
        Assert.Null(options.Http);
        Assert.NotNull(options.Tcp);
    }

    [Theory]
    [InlineData("example.com:514")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":514")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:+1")]
    [InlineData("127.0.0.1:5x")]
    [InlineData("[::1]")]
    [InlineData("300.1.1.1:514")]
    public void BadEndpointsAreRejectedNamingTheKeyAndTheValue(string text)
    {
        Assert.False(ConfigValue.ParseEndpoint(text).Ok);
        Read(out var errors, ("Tcp", text), ("Udp", text), ("Http", text));
        Assert.Equal(
            [
                $"Collector:Tcp must be {EndpointRule}, was '{text}'",
                $"Collector:Udp must be {EndpointRule}, was '{text}'",
                $"Collector:Http must be {EndpointRule}, was '{text}'"],
            errors);
    }

    [Fact]
    public void TcpUdpAndRelpAllEmptyIsAnError()
    {
        Read(out var errors, ("Tcp", ""), ("Udp", ""), ("Relp", ""));
        Assert.Equal("Collector:Tcp, Collector:Udp and Collector:Relp are all empty: nothing would be received", Assert.Single(errors));
        Read(out errors, ("Tcp", ""), ("Udp", ""));
        Assert.Empty(errors);
        Read(out errors, ("Tcp", ""));
        Assert.Empty(errors);
        Read(out errors, ("Udp", ""));
        Assert.Empty(errors);
    }

    [Fact]
    public void HttpOnTheTcpListenersEndpointIsAnErrorUnlessThePortIsPickedByTheSystem()
    {
        Read(out var errors, ("Tcp", "127.0.0.1:6000"), ("Http", "127.0.0.1:6000"));
        Assert.Equal("Collector:Http must differ from Collector:Tcp, was '127.0.0.1:6000'", Assert.Single(errors));
        Read(out errors, ("Tcp", "127.0.0.1:0"), ("Http", "127.0.0.1:0"));
        Assert.Empty(errors);
    }

    [Fact]
    public void RelpListensOnPort2514AndAcknowledgesAfterTheWriteByDefault()
    {
        var options = Read(out var errors);
        Assert.Empty(errors);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2514), options.Relp);
        Assert.Equal(RelpAckAfter.Write, options.RelpAckAfter);

        options = Read(out errors, ("Relp", ""), ("RelpAckAfter", "FSYNC"));
        Assert.Empty(errors);
        Assert.Null(options.Relp);
        Assert.Equal(RelpAckAfter.Fsync, options.RelpAckAfter);
    }

    [Fact]
    public void BadRelpSettingsAreRejectedNamingTheKey()
    {
        Read(out var errors, ("Relp", "nowhere"), ("RelpAckAfter", "sync"));
        Assert.Equal(
            [$"Collector:Relp must be {EndpointRule}, was 'nowhere'", "Collector:RelpAckAfter must be write or fsync, was 'sync'"],
            errors);
    }

    [Fact]
    public void RelpOnTheEndpointOfAnotherKestrelListenerIsAnError()
    {
        Read(out var errors, ("Tcp", "127.0.0.1:6000"), ("Relp", "127.0.0.1:6000"));
        Assert.Equal("Collector:Relp must differ from Collector:Tcp, was '127.0.0.1:6000'", Assert.Single(errors));
        Read(out errors, ("Relp", "127.0.0.1:6001"), ("Http", "127.0.0.1:6001"));
        Assert.Equal("Collector:Http must differ from Collector:Relp, was '127.0.0.1:6001'", Assert.Single(errors));
    }

    [Theory]
    [InlineData("file", LineFormat.File)]
    [InlineData("File", LineFormat.File)]
    [InlineData("traditional", LineFormat.Traditional)]
    [InlineData("rfc5424", LineFormat.Rfc5424)]
    [InlineData("RFC5424", LineFormat.Rfc5424)]
    public void FormatIsANameInAnyCase(string text, LineFormat format) =>
        Assert.Equal(format, Read(out _, ("Format", text)).Format);

    [Theory]
    [InlineData("Verbose", LogEventLevel.Verbose)]
    [InlineData("debug", LogEventLevel.Debug)]
    [InlineData("Information", LogEventLevel.Information)]
    [InlineData("WARNING", LogEventLevel.Warning)]
    [InlineData("Error", LogEventLevel.Error)]
    [InlineData("Fatal", LogEventLevel.Fatal)]
    public void LogLevelIsANameInAnyCase(string text, LogEventLevel level) =>
        Assert.Equal(level, Read(out _, ("LogLevel", text)).LogLevel);

    [Theory]
    [InlineData("json")]
    [InlineData("JSON")]
    [InlineData("Json")]
    public void LogFormatIsANameInAnyCase(string text) =>
        Assert.Equal("json", Read(out _, ("LogFormat", text)).LogFormat);

    [Theory]
    [InlineData("Format", "json", "file, traditional or rfc5424")]
    [InlineData("Format", "", "file, traditional or rfc5424")]
    [InlineData("LogLevel", "3", "Verbose, Debug, Information, Warning, Error or Fatal")]
    [InlineData("LogLevel", "Trace", "Verbose, Debug, Information, Warning, Error or Fatal")]
    [InlineData("LogLevel", "Warning,Error", "Verbose, Debug, Information, Warning, Error or Fatal")]
    [InlineData("LogFormat", "xml", "text or json")]
    [InlineData("Compress", "yes", "true or false")]
    [InlineData("MaxFiles", "x", "a whole number from 0 to 1000")]
    [InlineData("MaxFiles", "1001", "a whole number from 0 to 1000")]
    [InlineData("MaxFiles", "-1", "a whole number from 0 to 1000")]
    [InlineData("MaxFiles", "2.5", "a whole number from 0 to 1000")]
    [InlineData("MaxConnections", "0", "a whole number from 1 to 1000000")]
    [InlineData("MaxConnections", "1000001", "a whole number from 1 to 1000000")]
    [InlineData("File", "", "a file path")]
    [InlineData("File", "   ", "a file path")]
    public void EveryBadValueIsReportedWithItsKeyTheRuleAndTheValue(string key, string text, string rule)
    {
        var options = Read(out var errors, (key, text));
        Assert.Equal($"Collector:{key} must be {rule}, was '{text}'", Assert.Single(errors));
        Assert.Equal(new CollectorOptions(), options);
    }

    [Fact]
    public void TheExampleErrorReadsAsDocumented()
    {
        Read(out var errors, ("MaxFiles", "x"));
        Assert.Equal("Collector:MaxFiles must be a whole number from 0 to 1000, was 'x'", Assert.Single(errors));
    }

    [Fact]
    public void SeveralMistakesAreReportedAtOnce()
    {
        Read(out var errors, ("MaxFiles", "many"), ("Format", "xml"), ("Tcp", "nowhere:1"), ("IdleTimeout", "soon"), ("MaxFileSize", "big"));
        Assert.Equal(
            [
                $"Collector:Tcp must be {EndpointRule}, was 'nowhere:1'",
                "Collector:Format must be file, traditional or rfc5424, was 'xml'",
                "Collector:IdleTimeout must be a duration such as 30s, 10m or 0, was 'soon'",
                "Collector:MaxFileSize must be a size of at least 1KiB, was 'big'",
                "Collector:MaxFiles must be a whole number from 0 to 1000, was 'many'",
            ],
            errors);
    }

    [Fact]
    public void KeysOutsideTheCollectorSectionAreIgnored()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("MaxFiles", "x"), new("Other:MaxFiles", "x")]).Build();
        CollectorOptionsReader.Read(configuration, out var errors);
        Assert.Empty(errors);
    }

    private static CollectorOptions Read(out List<string> errors, params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"Collector:{s.Key}", s.Value)))
            .Build();
        return CollectorOptionsReader.Read(configuration, out errors);
    }
}
