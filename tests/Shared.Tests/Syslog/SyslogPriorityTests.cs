using Shared.Syslog;

namespace Shared.Tests.Syslog;

public class SyslogPriorityTests
{
    [Theory]
    [InlineData(Facility.Kernel, Severity.Emergency, 0)]
    [InlineData(Facility.User, Severity.Notice, 13)]
    [InlineData(Facility.Auth, Severity.Critical, 34)]
    [InlineData(Facility.Local4, Severity.Notice, 165)]
    [InlineData(Facility.Local7, Severity.Debug, 191)]
    public void PrivalIsFacilityTimesEightPlusSeverity(Facility facility, Severity severity, int value)
    {
        var priority = new SyslogPriority(facility, severity);

        Assert.Equal(value, priority.Value);
        Assert.Equal(priority, SyslogPriority.FromValue(value));
        Assert.Equal(facility, priority.Facility);
        Assert.Equal(severity, priority.Severity);
    }

    [Fact]
    public void TheDefaultForAMissingPriIsUserNotice()
    {
        Assert.Equal(13, SyslogPriority.Default.Value);
        Assert.Equal("User.Notice", SyslogPriority.Default.ToString());
    }

    [Fact]
    public void RejectsValuesOutsideTheRfcRanges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyslogPriority.FromValue(192));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyslogPriority.FromValue(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyslogPriority((Facility)24, Severity.Debug));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyslogPriority(Facility.User, (Severity)8));
    }
}
