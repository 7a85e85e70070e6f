using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed class RotatedSiblingsTests
{
    /// <summary>
    /// Found by the docker chaos run: with Windows' wildcard rules (.NET's default, also on Linux) "x-json.log.*"
    /// matches "x-json.log", and the live file was taken for a generation rotated away, closed while still written to.
    /// </summary>
    [Theory]
    [InlineData("abc-json.log", ".1", ".2")]
    [InlineData("0.log", ".20261206-093000", ".20261206-093005")]
    public void TheLiveFileIsNotItsOwnRotatedGeneration(string name, string older, string newer)
    {
        using var dir = TempDirectory.Create();
        string live = dir.Combine(name);
        var since = new DateTime(2026, 12, 6, 9, 0, 0, DateTimeKind.Utc);
        File.WriteAllText(live + newer, "older");
        File.SetLastWriteTimeUtc(live + newer, since.AddSeconds(10));
        File.WriteAllText(live + older, "newer");
        File.SetLastWriteTimeUtc(live + older, since.AddSeconds(20));
        File.WriteAllText(live, "live");
        File.WriteAllText(live + ".3.gz", "compressed");
        File.WriteAllText(dir.Combine("other.log.1"), "another log");

        var found = RotatedSiblings.Find(live, since, null, (_, _) => false);

        Assert.Equal([live + newer, live + older], found.Select(f => f.Path));
    }

    [Fact]
    public void OnlyGenerationsModifiedBetweenTheBoundsAreFound()
    {
        using var dir = TempDirectory.Create();
        string live = dir.Combine("abc-json.log");
        var start = new DateTime(2026, 12, 6, 9, 0, 0, DateTimeKind.Utc);
        for (int g = 1; g <= 4; g++)
        {
            File.WriteAllText($"{live}.{g}", $"generation {g}");
            File.SetLastWriteTimeUtc($"{live}.{g}", start.AddSeconds(50 - (10 * g)));
        }

        // .4 at +10 s, .3 at +20 s, .2 at +30 s, .1 at +40 s: after .4 and before .1.
        var found = RotatedSiblings.Find(live, start.AddSeconds(10), start.AddSeconds(40), (_, _) => false);

        Assert.Equal([live + ".3", live + ".2"], found.Select(f => f.Path));
    }
}
