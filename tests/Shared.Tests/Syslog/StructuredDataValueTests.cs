using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

public class StructuredDataValueTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("a\\\"b\\\\c\\]d", "a\"b\\c]d")]
    [InlineData("\\x", "\\x")] // §6.3.3: '\' before another byte stays
    [InlineData("C:\\temp\\new", "C:\\temp\\new")]
    [InlineData("end\\", "end\\")] // a lone trailing backslash stays
    [InlineData("\\\\\\\"", "\\\"")] // \\ then \" is a backslash and a quote
    [InlineData("\\\\x", "\\x")]
    [InlineData("\\\\\\", "\\\\")]
    [InlineData("[\\[", "[\\[")] // '[' is not an escape
    public void UnescapesOnlyTheThreeEscapes(string escaped, string plain)
    {
        byte[] input = Encoding.ASCII.GetBytes(escaped);
        byte[] destination = new byte[input.Length];

        int length = StructuredDataValue.Unescape(input, destination);

        Assert.Equal(plain, Encoding.ASCII.GetString(destination, 0, length));
        Assert.Equal(plain, StructuredDataValue.ToString(input));
        Assert.True(StructuredDataValue.EqualsUnescaped(input, Encoding.ASCII.GetBytes(plain)));
    }

    [Theory]
    [InlineData("abc", "abd")]
    [InlineData("abc", "ab")]
    [InlineData("ab", "abc")]
    [InlineData("a\\\"", "a\\\"")] // escaped \" is one quote, not backslash + quote
    [InlineData("a\\\\", "a\\\\")] // escaped \\ is one backslash
    [InlineData("a\\]", "a")]
    [InlineData("a\\]", "a]]")]
    [InlineData("", "x")]
    [InlineData("x", "")]
    public void EqualsUnescapedIsFalseForOtherText(string escaped, string plain)
    {
        Assert.False(StructuredDataValue.EqualsUnescaped(Encoding.ASCII.GetBytes(escaped), Encoding.ASCII.GetBytes(plain)));
    }

    [Fact]
    public void EqualsUnescapedComparesUtf8Bytes()
    {
        byte[] escaped = Encoding.UTF8.GetBytes("\u00FC\\]\U0001F600");

        Assert.True(StructuredDataValue.EqualsUnescaped(escaped, Encoding.UTF8.GetBytes("\u00FC]\U0001F600")));
        Assert.False(StructuredDataValue.EqualsUnescaped(escaped, Encoding.UTF8.GetBytes("u]\U0001F600")));
        Assert.Equal("\u00FC]\U0001F600", StructuredDataValue.ToString(escaped));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("plain [x]", "plain [x\\]")]
    [InlineData("a\"b\\c]d", "a\\\"b\\\\c\\]d")]
    [InlineData("\"\"\"", "\\\"\\\"\\\"")]
    public void EscapesQuoteBackslashAndClosingBracket(string plain, string escaped)
    {
        byte[] input = Encoding.ASCII.GetBytes(plain);
        byte[] destination = new byte[StructuredDataValue.MaxEscapedLength(input.Length)];

        int length = StructuredDataValue.Escape(input, destination);

        Assert.Equal(escaped, Encoding.ASCII.GetString(destination, 0, length));
    }

    [Fact]
    public void MaxEscapedLengthFitsAValueOfOnlyEscapes()
    {
        byte[] input = Encoding.ASCII.GetBytes(new string(']', 100));
        byte[] destination = new byte[StructuredDataValue.MaxEscapedLength(input.Length)];

        Assert.Equal(200, StructuredDataValue.Escape(input, destination));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void EscapeThenUnescapeGivesTheOriginalBytes(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 1_000; i++)
        {
            byte[] plain = new byte[random.Next(64)];
            for (int j = 0; j < plain.Length; j++)
            {
                plain[j] = random.Next(3) == 0 ? (byte)"\"\\]x"[random.Next(4)] : (byte)random.Next(256);
            }

            byte[] escaped = new byte[StructuredDataValue.MaxEscapedLength(plain.Length)];
            int escapedLength = StructuredDataValue.Escape(plain, escaped);
            byte[] unescaped = new byte[escapedLength];
            int length = StructuredDataValue.Unescape(escaped.AsSpan(0, escapedLength), unescaped);

            Assert.Equal(plain, unescaped[..length]);
            Assert.True(StructuredDataValue.EqualsUnescaped(escaped.AsSpan(0, escapedLength), plain));
        }
    }
}
