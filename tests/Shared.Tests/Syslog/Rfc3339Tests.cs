using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

public class Rfc3339Tests
{
    private static readonly DateTimeOffset Second = new(2003, 10, 11, 22, 14, 15, TimeSpan.Zero);

    [Theory]
    [InlineData("", 0, 0L)]
    [InlineData(".1", 1, 1_000_000L)]
    [InlineData(".12", 2, 1_200_000L)]
    [InlineData(".123", 3, 1_230_000L)]
    [InlineData(".1234", 4, 1_234_000L)]
    [InlineData(".12345", 5, 1_234_500L)]
    [InlineData(".123456", 6, 1_234_560L)]
    [InlineData(".1234567", 7, 1_234_567L)]
    [InlineData(".12345678", 8, 1_234_567L)] // below 100 ns is dropped
    [InlineData(".123456789", 9, 1_234_567L)]
    [InlineData(".000001", 6, 10L)]
    [InlineData(".999999999", 9, 9_999_999L)]
    public void ParsesZeroToNineFractionDigits(string fraction, int digits, long ticks)
    {
        string text = "2003-10-11T22:14:15" + fraction + "Z";

        var code = Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var timestamp, out int consumed);

        Assert.Equal(SyslogParseErrorCode.None, code);
        Assert.Equal(text.Length, consumed);
        Assert.True(timestamp.HasValue);
        Assert.Equal(digits, timestamp.FractionDigits);
        Assert.Equal(Second.AddTicks(ticks), timestamp.Value);
        Assert.Equal(TimeSpan.Zero, timestamp.Value.Offset);
    }

    [Theory]
    [InlineData("2003-10-11t22:14:15z")]
    [InlineData("2003-10-11T22:14:15z")]
    [InlineData("2003-10-11t22:14:15Z")]
    public void AcceptsLowerCaseTAndZ(string text)
    {
        var code = Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var timestamp, out int consumed);

        Assert.Equal(SyslogParseErrorCode.None, code);
        Assert.Equal(20, consumed);
        Assert.Equal(Second, timestamp.Value);
    }

    [Theory]
    [InlineData("+00:00", 0, 0)]
    [InlineData("-00:00", 0, 0)] // RFC 3339 §4.3: unknown local offset, still UTC
    [InlineData("+05:30", 5, 30)]
    [InlineData("-07:00", -7, 0)]
    [InlineData("-00:30", 0, -30)]
    [InlineData("+14:00", 14, 0)]
    [InlineData("-14:00", -14, 0)]
    public void ParsesNumericOffsetsAsTheClockTimeInThatOffset(string offsetText, int hours, int minutes)
    {
        var code = Rfc3339.TryParse(Encoding.ASCII.GetBytes("2003-10-11T22:14:15" + offsetText), out var timestamp, out int consumed);

        var offset = new TimeSpan(hours, minutes, 0);
        Assert.Equal(SyslogParseErrorCode.None, code);
        Assert.Equal(25, consumed);
        Assert.Equal(offset, timestamp.Value.Offset);
        Assert.Equal(new DateTime(2003, 10, 11, 22, 14, 15), timestamp.Value.DateTime);
        Assert.Equal(new DateTime(2003, 10, 11, 22, 14, 15) - offset, timestamp.Value.UtcDateTime);
    }

    [Fact]
    public void StopsAtTheEndOfTheTimestamp()
    {
        var code = Rfc3339.TryParse("2003-10-11T22:14:15.003Z host app"u8, out var timestamp, out int consumed);

        Assert.Equal(SyslogParseErrorCode.None, code);
        Assert.Equal(24, consumed);
        Assert.Equal(3, timestamp.FractionDigits);
    }

    [Theory]
    [InlineData("2000-02-29T00:00:00Z")] // divisible by 400: leap
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("0001-01-01T01:00:00+01:00")] // exactly DateTimeOffset.MinValue in UTC
    [InlineData("0001-01-01T00:00:00-14:00")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T22:59:59-01:00")]
    [InlineData("9999-12-31T23:59:59+14:00")]
    public void AcceptsDatesAtTheEdges(string text)
    {
        Assert.Equal(SyslogParseErrorCode.None, Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var timestamp, out _));
        Assert.True(timestamp.HasValue);
    }

    [Theory]
    [InlineData("", SyslogParseErrorCode.TimestampInvalid, 0)]
    [InlineData("2003", SyslogParseErrorCode.TimestampInvalid, 4)]
    [InlineData("2003-10-11T22:14:15", SyslogParseErrorCode.TimestampInvalid, 19)]
    [InlineData("x003-10-11T22:14:15Z", SyslogParseErrorCode.TimestampInvalid, 0)]
    [InlineData("2003/10/11T22:14:15Z", SyslogParseErrorCode.TimestampInvalid, 4)]
    [InlineData("2003-10-11X22:14:15Z", SyslogParseErrorCode.TimestampInvalid, 10)]
    [InlineData("2003-10-11T22.14.15Z", SyslogParseErrorCode.TimestampInvalid, 13)]
    [InlineData("2003-10-11T22:14:15+5:30", SyslogParseErrorCode.TimestampInvalid, 19)]
    [InlineData("2003-10-11T22:14:15+05", SyslogParseErrorCode.TimestampInvalid, 19)]
    [InlineData("2003-10-11T22:14:15+0a:00", SyslogParseErrorCode.TimestampInvalid, 19)]
    [InlineData("2003-10-11T22:14:15.12345678901Z", SyslogParseErrorCode.TimestampInvalid, 29)]
    [InlineData("2003-10-11T22:14:15.", SyslogParseErrorCode.TimestampInvalid, 20)]
    [InlineData("2003-10-11T22:14:15.5", SyslogParseErrorCode.TimestampInvalid, 21)]
    [InlineData("1900-02-29T00:00:00Z", SyslogParseErrorCode.TimestampOutOfRange, 8)] // divisible by 100 only: no leap day
    [InlineData("2003-10-32T00:00:00Z", SyslogParseErrorCode.TimestampOutOfRange, 8)]
    [InlineData("2003-99-01T00:00:00Z", SyslogParseErrorCode.TimestampOutOfRange, 5)]
    [InlineData("2003-10-11T99:00:00Z", SyslogParseErrorCode.TimestampOutOfRange, 11)]
    [InlineData("2003-10-11T23:99:00Z", SyslogParseErrorCode.TimestampOutOfRange, 14)]
    [InlineData("2003-10-11T23:59:60Z", SyslogParseErrorCode.TimestampOutOfRange, 17)]
    [InlineData("2003-10-11T22:14:15+14:01", SyslogParseErrorCode.TimestampOutOfRange, 19)]
    [InlineData("2003-10-11T22:14:15-99:99", SyslogParseErrorCode.TimestampOutOfRange, 19)]
    [InlineData("0001-01-01T00:00:00+00:01", SyslogParseErrorCode.TimestampOutOfRange, 0)] // UTC underflow
    [InlineData("0001-01-01T00:59:59.9999999+01:00", SyslogParseErrorCode.TimestampOutOfRange, 0)]
    [InlineData("9999-12-31T23:59:59-00:01", SyslogParseErrorCode.TimestampOutOfRange, 0)] // UTC overflow
    public void ReportsTheCodeAndOffsetOfTheFirstProblem(string text, SyslogParseErrorCode expected, int consumed)
    {
        var code = Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var timestamp, out int at);

        Assert.Equal(expected, code);
        Assert.Equal(consumed, at);
        Assert.False(timestamp.HasValue);
    }

    [Theory]
    [InlineData(0, "2003-10-11T22:14:15Z")]
    [InlineData(1, "2003-10-11T22:14:15.9Z")]
    [InlineData(3, "2003-10-11T22:14:15.987Z")]
    [InlineData(6, "2003-10-11T22:14:15.987654Z")]
    [InlineData(7, "2003-10-11T22:14:15.987654Z")]
    [InlineData(9, "2003-10-11T22:14:15.987654Z")]
    public void FormatsTruncatingToTheFractionDigitsAndAtMostSix(int digits, string expected)
    {
        var timestamp = new SyslogTimestamp(Second.AddTicks(9_876_543), digits);

        Assert.Equal(expected, Rfc3339.Format(timestamp));
        Assert.Equal(expected, timestamp.ToString());
    }

    [Theory]
    [InlineData(5, 30, "2003-10-11T22:14:15+05:30")]
    [InlineData(-7, 0, "2003-10-11T22:14:15-07:00")]
    [InlineData(0, -1, "2003-10-11T22:14:15-00:01")]
    [InlineData(-14, 0, "2003-10-11T22:14:15-14:00")]
    public void FormatsTheClockTimeWithItsOffset(int hours, int minutes, string expected)
    {
        var value = new DateTimeOffset(2003, 10, 11, 22, 14, 15, new TimeSpan(hours, minutes, 0));

        Assert.Equal(expected, Rfc3339.Format(new SyslogTimestamp(value, 0)));
    }

    [Fact]
    public void TheLongestTimestampFillsMaxLength()
    {
        var timestamp = new SyslogTimestamp(new DateTimeOffset(2003, 10, 11, 22, 14, 15, TimeSpan.FromHours(-14)), 6);
        Span<byte> buffer = stackalloc byte[Rfc3339.MaxLength];

        Assert.Equal(Rfc3339.MaxLength, Rfc3339.Write(buffer, timestamp));
        Assert.Equal("2003-10-11T22:14:15.000000-14:00"u8.ToArray(), buffer.ToArray());
    }

    [Fact]
    public void WriteRejectsADestinationShorterThanMaxLength()
    {
        byte[] buffer = new byte[Rfc3339.MaxLength - 1];

        Assert.Throws<ArgumentException>(() => Rfc3339.Write(buffer, new SyslogTimestamp(Second, 0)));
    }

    [Fact]
    public void NilFormatsAsADash()
    {
        Assert.Equal("-", SyslogTimestamp.Nil.ToString());
        Assert.False(default(SyslogTimestamp).HasValue);
    }

    [Fact]
    public void FractionDigitsAbove9AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyslogTimestamp(Second, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyslogTimestamp(Second, -1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3339)]
    public void FormatThenParseGivesTheSameInstantOffsetAndDigits(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 2_000; i++)
        {
            long utcTicks = random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            var value = new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(random.Next(-840, 841)));
            int digits = random.Next(7);
            string text = Rfc3339.Format(new SyslogTimestamp(value, digits));

            var code = Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var parsed, out int consumed);

            long unit = TimeSpan.TicksPerSecond / (long)Math.Pow(10, digits);
            Assert.Equal(SyslogParseErrorCode.None, code);
            Assert.Equal(text.Length, consumed);
            Assert.Equal(utcTicks - (utcTicks % unit), parsed.Value.UtcTicks);
            Assert.Equal(value.Offset, parsed.Value.Offset);
            Assert.Equal(digits, parsed.FractionDigits);
        }
    }
}
