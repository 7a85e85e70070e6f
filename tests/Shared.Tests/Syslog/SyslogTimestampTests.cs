using Shared.Syslog;

namespace Shared.Tests.Syslog;

public class SyslogTimestampTests
{
    private static readonly DateTimeOffset Utc = new(2003, 10, 11, 22, 14, 15, TimeSpan.Zero);

    [Fact]
    public void TheSameInstantInAnotherOffsetIsADifferentTimestamp()
    {
        // They are written differently ("...22:14:15Z" vs "...00:14:15+02:00"), so they must not be equal.
        var utc = new SyslogTimestamp(Utc, 0);
        var plusTwo = new SyslogTimestamp(Utc.ToOffset(TimeSpan.FromHours(2)), 0);

        Assert.NotEqual(utc.ToString(), plusTwo.ToString());
        Assert.NotEqual(utc, plusTwo);
        Assert.False(utc == plusTwo);
    }

    [Fact]
    public void EqualValuesOffsetsAndDigitsAreEqualWithEqualHashCodes()
    {
        var a = new SyslogTimestamp(Utc.ToOffset(TimeSpan.FromMinutes(330)), 3);
        var b = new SyslogTimestamp(new DateTimeOffset(2003, 10, 12, 3, 44, 15, TimeSpan.FromMinutes(330)), 3);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void FractionDigitsAndNilTakePartInEquality()
    {
        Assert.NotEqual(new SyslogTimestamp(Utc, 3), new SyslogTimestamp(Utc, 6));
        Assert.NotEqual(SyslogTimestamp.Nil, new SyslogTimestamp(default, 0));
        Assert.Equal(SyslogTimestamp.Nil, default);
    }
}
