using System.Reflection;
using Collector.Configuration;
using Collector.Storage;
using Microsoft.Extensions.Configuration;

namespace Collector.Tests.Configuration;

public sealed class CommandLineTests
{
    [Fact]
    public void EachSwitchSetsItsConfigurationKey()
    {
        Assert.True(CommandLine.TryParse(
            ["--tcp", "0.0.0.0:1514", "--max-files", "3", "--compress", "false"],
            out var values,
            out bool help,
            out string? error));
        Assert.False(help);
        Assert.Null(error);
        Assert.Equal(
            new Dictionary<string, string?> { ["Collector:Tcp"] = "0.0.0.0:1514", ["Collector:MaxFiles"] = "3", ["Collector:Compress"] = "false" },
            values);
    }

    [Fact]
    public void AValueMayFollowAnEqualsSign()
    {
        Assert.True(CommandLine.TryParse(["--max-files=3", "--file=/var/log/a=b", "--udp="], out var values, out _, out _));
        Assert.Equal("3", values["Collector:MaxFiles"]);
        Assert.Equal("/var/log/a=b", values["Collector:File"]);
        Assert.Equal("", values["Collector:Udp"]);
    }

    [Fact]
    public void TheLastOfARepeatedSwitchWins()
    {
        Assert.True(CommandLine.TryParse(["--max-files", "3", "--max-files=4"], out var values, out _, out _));
        Assert.Equal("4", Assert.Single(values).Value);
    }

    [Fact]
    public void NoArgumentsIsNoSettings()
    {
        Assert.True(CommandLine.TryParse([], out var values, out bool help, out string? error));
        Assert.Empty(values);
        Assert.False(help);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("--nope")]
    [InlineData("--nope=1")]
    [InlineData("-x")]
    [InlineData("stray")]
    [InlineData("--MAX-FILES")]
    public void AnUnknownArgumentIsAnError(string argument)
    {
        Assert.False(CommandLine.TryParse(["--max-files", "3", argument, "1"], out _, out _, out string? error));
        Assert.Equal($"unknown argument '{argument}' (see --help)", error);
    }

    [Theory]
    [InlineData("--max-files", "N")]
    [InlineData("--tcp", "HOST:PORT")]
    [InlineData("--idle-timeout", "DURATION")]
    public void ASwitchWithoutItsValueIsAnError(string name, string placeholder)
    {
        Assert.False(CommandLine.TryParse(["--format", "file", name], out _, out _, out string? error));
        Assert.Equal($"{name} needs a value: {name} {placeholder}", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void HelpIsAskedForWithoutAnError(string argument)
    {
        Assert.True(CommandLine.TryParse(["--max-files", "3", argument], out var values, out bool help, out string? error));
        Assert.True(help);
        Assert.Null(error);
        Assert.Equal("3", values["Collector:MaxFiles"]);
    }

    [Fact]
    public void HelpTextMentionsEverySwitchWithItsValue()
    {
        string text = CommandLine.HelpText();
        Assert.All(CommandLine.Switches, s => Assert.Contains($"  {s.Name} <{s.Value}> ", text, StringComparison.Ordinal));
        Assert.Contains("--help", text, StringComparison.Ordinal);
        Assert.Contains("Collector__MaxFiles", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EverySettingHasExactlyOneSwitch()
    {
        // The tokens have no switch on purpose: the process list shows switches (they come from a file or the
        // environment).
        var settings = typeof(CollectorOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name)
            .Where(n => n is not ("ApiToken" or "AdminToken"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(settings, CommandLine.Switches.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Equal(CommandLine.Switches.Count, CommandLine.Switches.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(CommandLine.Switches, s => Assert.Matches("^--[a-z]+(-[a-z]+)*$", s.Name));
    }

    [Fact]
    public void EverySwitchReachesTheSettingItNames()
    {
        foreach (var s in CommandLine.Switches)
        {
            // A value every setting rejects (an empty File, which is the only one that takes any text; a directory
            // under a file).
            string bad = s.Key switch
            {
                "File" => "",
                "Relays" or "RelaySpill" => "/dev/null/relays",
                _ => "\u00bfbad?",
            };
            Assert.True(CommandLine.TryParse([$"{s.Name}={bad}"], out var values, out _, out _));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            CollectorOptionsReader.Read(configuration, out var errors);
            // A repeatable switch fills a list, whose items are named by index.
            Assert.StartsWith($"Collector:{s.Key}{(s.Repeatable ? ":0" : "")} must be ", Assert.Single(errors), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SwitchesBecomeOptions()
    {
        Assert.True(CommandLine.TryParse(
            [
                "--tcp", "", "--udp", "[::1]:0", "--max-file-size", "64KiB", "--fsync-interval", "1s",
                "--format", "rfc5424",
            ],
            out var values,
            out _,
            out _));
        var options = CollectorOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), out var errors);
        Assert.Empty(errors);
        Assert.Null(options.Tcp);
        Assert.Equal("[::1]:0", options.Udp!.ToString());
        Assert.Equal(64 * 1024, options.MaxFileSize);
        Assert.Equal(TimeSpan.FromSeconds(1), options.FsyncInterval);
        Assert.Equal(LineFormat.Rfc5424, options.Format);
    }
}
