using Shared.Configuration;

namespace Shared.Tests.Configuration;

public sealed class CommandLineParserTests
{
    private static readonly CommandLineSwitch[] Switches =
    [
        new("--to", "Targets", "URI", "where to send", Repeatable: true),
        new("--state", "State", "DIR", "state directory"),
    ];

    [Fact]
    public void ARepeatableSwitchFillsAListInTheOrderGiven()
    {
        Assert.True(CommandLineParser.TryParse(["--to", "tcp://a:1", "--state=/s", "--to=udp://b:2"], "App", Switches, out var values, out bool help, out string? error));
        Assert.False(help);
        Assert.Null(error);
        Assert.Equal("tcp://a:1", values["App:Targets:0"]);
        Assert.Equal("udp://b:2", values["App:Targets:1"]);
        Assert.Equal("/s", values["App:State"]);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public void ASingleValuedSwitchGivenTwiceKeepsTheLastValue()
    {
        Assert.True(CommandLineParser.TryParse(["--state", "/a", "--state", "/b"], "App", Switches, out var values, out _, out _));
        Assert.Equal("/b", values["App:State"]);
    }

    [Theory]
    [InlineData("--bogus", "unknown argument '--bogus' (see --help)")]
    [InlineData("--to", "--to needs a value: --to URI")]
    public void TheFirstBadArgumentIsExplained(string argument, string expected)
    {
        Assert.False(CommandLineParser.TryParse(["--state", "/a", argument], "App", Switches, out _, out _, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void HelpListsEverySwitchWithItsPlaceholder()
    {
        var text = new System.Text.StringBuilder();
        CommandLineParser.AppendSwitches(text, Switches);
        Assert.Contains("  --to URI ", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("  --state DIR ", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("-h, --help", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALongSwitchStillLeavesAGapBeforeItsHelpAndEveryHelpStartsInOneColumn()
    {
        var text = new System.Text.StringBuilder();
        CommandLineParser.AppendSwitches(text, [.. Switches, new CommandLineSwitch("--partial-flush-timeout", "X", "DURATION", "send a fragment")]);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("--partial-flush-timeout DURATION  send a fragment", StringComparison.Ordinal));
        var columns = lines.Select(l => l.IndexOf("  ", 2, StringComparison.Ordinal) + l[l.IndexOf("  ", 2, StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count()).Distinct();
        Assert.Single(columns);
    }
}
