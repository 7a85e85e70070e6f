using Collector.Configuration;
using Collector.Storage;
using Microsoft.Extensions.Configuration;

namespace Collector.Tests.Storage;

/// <summary>
/// <c>--min-free</c>: a size, a share of the volume, or both (the default), the smaller one counting.
/// </summary>
public sealed class MinFreeSpaceTests
{
    [Theory]
    [InlineData("512MiB", 512L << 20, null)]
    [InlineData("1GiB", 1L << 30, null)]
    [InlineData("4096", 4096L, null)]
    [InlineData("5%", null, 5)]
    [InlineData(" 10 % ", null, 10)]
    [InlineData("90%", null, 90)]
    public void ReadsASizeOrAPercentage(string text, long? bytes, int? percent)
    {
        var options = Read(text, out var errors);
        Assert.Empty(errors);
        Assert.Equal(new MinFreeSpace(bytes, percent), options.MinFree);
        Assert.True(options.MinFree.Enabled);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0%")]
    [InlineData("0B")]
    public void ZeroEitherWayDisablesIt(string text)
    {
        var options = Read(text, out var errors);
        Assert.Empty(errors);
        Assert.False(options.MinFree.Enabled);
        Assert.Equal(0, options.MinFree.For(100L << 30));
    }

    [Theory]
    [InlineData("91%")]
    [InlineData("5.5%")]
    [InlineData("-5%")]
    [InlineData("%")]
    [InlineData("lots")]
    [InlineData("1PB")]
    [InlineData("")]
    public void BadValuesAreRejectedNamingTheKeyAndTheValue(string text)
    {
        Read(text, out var errors);
        Assert.Equal($"Collector:MinFree must be {MinFreeSpace.Rule}, was '{text}'", Assert.Single(errors));
    }

    [Theory]
    [InlineData(100L << 30, 1L << 30)]
    [InlineData(20L << 30, 1L << 30)]
    [InlineData(10L << 30, 512L << 20)]
    [InlineData(4L << 20, 209_715L)]
    public void TheDefaultIsOneGibibyteOrFivePercentWhicheverIsSmaller(long volume, long keep)
    {
        Assert.Equal(MinFreeSpace.Default, new CollectorOptions().MinFree);
        Assert.Equal(keep, MinFreeSpace.Default.For(volume));
    }

    [Fact]
    public void ASizeOrAPercentageAloneIsTakenAsIs()
    {
        Assert.Equal(3L << 30, new MinFreeSpace(3L << 30, null).For(10L << 30));
        Assert.Equal(5L << 30, new MinFreeSpace(null, 50).For(10L << 30));
    }

    private static CollectorOptions Read(string value, out List<string> errors)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Collector:MinFree", value)]).Build();
        return CollectorOptionsReader.Read(configuration, out errors);
    }
}
