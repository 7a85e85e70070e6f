using Shared.Configuration;

namespace Shared.Tests.Configuration;

public sealed class SwitchCommandTests
{
    private static readonly SwitchCommand Command = new(
        "App",
        "An app that sends.",
        [
            new("--to", "Targets", "URI", "where to send", Repeatable: true),
            new("--state", "State", "DIR", "state directory"),
            new("--partial-flush-timeout", "Flush", "DURATION", "send a fragment"),
        ],
        "Exit codes: 0, 1.\n");

    [Fact]
    public void ARepeatableSwitchFillsAListInTheOrderGiven()
    {
        Assert.True(Command.TryParse(["--to", "tcp://a:1", "--state=/s", "--to=udp://b:2"], out var values, out bool help, out string? error));
        Assert.False(help);
        Assert.Null(error);
        Assert.Equal(
            new Dictionary<string, string?> { ["App:Targets:0"] = "tcp://a:1", ["App:Targets:1"] = "udp://b:2", ["App:State"] = "/s" },
            values);
    }

    [Fact]
    public void ASingleValuedSwitchGivenTwiceKeepsTheLastValue()
    {
        Assert.True(Command.TryParse(["--state", "/a", "--state", "/b"], out var values, out _, out _));
        Assert.Equal("/b", Assert.Single(values).Value);
    }

    [Theory]
    [InlineData("--state=")]
    [InlineData("--state:")]
    public void AnEmptyValueAfterTheSeparatorIsAnEmptyValue(string argument)
    {
        Assert.True(Command.TryParse([argument, "--to="], out var values, out _, out string? error));
        Assert.Null(error);
        Assert.Equal(new Dictionary<string, string?> { ["App:State"] = "", ["App:Targets:0"] = "" }, values);
    }

    [Fact]
    public void AValueMayStartWithADashOrHoldAnEqualsSign()
    {
        Assert.True(Command.TryParse(["--state", "-1", "--to=tcp://a:1/?x=y"], out var values, out _, out _));
        Assert.Equal("-1", values["App:State"]);
        Assert.Equal("tcp://a:1/?x=y", values["App:Targets:0"]);
    }

    [Theory]
    [InlineData(new[] { "--state", "/a", "--bogus" }, "unknown argument '--bogus' (see --help)")]
    [InlineData(new[] { "--state", "/a", "/b" }, "unknown argument '/b' (see --help)")]
    [InlineData(new[] { "--state", "/a", "--to" }, "--to needs a value: --to URI")]
    [InlineData(new[] { "--bogus", "--to" }, "unknown argument '--bogus' (see --help)")]
    [InlineData(new[] { "--state", "--to", "x" }, "unknown argument 'x' (see --help)")]
    [InlineData(new[] { "@args.txt" }, "unknown argument '@args.txt' (see --help)")]
    [InlineData(new[] { "--version" }, "unknown argument '--version' (see --help)")]
    [InlineData(new[] { "[suggest]" }, "unknown argument '[suggest]' (see --help)")]
    public void TheFirstBadArgumentIsExplained(string[] args, string expected)
    {
        Assert.False(Command.TryParse(args, out _, out bool help, out string? error));
        Assert.False(help);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void HelpIsAskedForWithoutAnErrorAndTheOtherSwitchesAreStillRead(string argument)
    {
        Assert.True(Command.TryParse(["--state", "/a", argument], out var values, out bool help, out string? error));
        Assert.True(help);
        Assert.Null(error);
        Assert.Equal("/a", values["App:State"]);
    }

    [Fact]
    public void HelpListsTheDescriptionEverySwitchWithItsPlaceholderInOneColumnAndTheEpilogue()
    {
        string[] lines = Command.HelpText().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("  An app that sends.", lines.Select(l => l.TrimEnd('\r')));
        var switchLines = lines.Where(l => l.StartsWith("  --", StringComparison.Ordinal) || l.StartsWith("  -?", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, switchLines.Count);
        Assert.Contains(
            switchLines,
            l => l.StartsWith("  --to <URI> ", StringComparison.Ordinal)
                && l.EndsWith("where to send", StringComparison.Ordinal));
        Assert.Contains(switchLines, l => l.StartsWith("  --partial-flush-timeout <DURATION>  send a fragment", StringComparison.Ordinal));
        Assert.Contains(switchLines, l => l.Contains("-h, --help", StringComparison.Ordinal));
        Assert.Single(switchLines
            .Select(l => l.IndexOf("  ", 2, StringComparison.Ordinal)
                + l[l.IndexOf("  ", 2, StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count())
            .Distinct());
        Assert.Equal("Exit codes: 0, 1.", lines[^1].TrimEnd('\r'));
    }
}
