using System.Text;
using Collector.Storage;

namespace Collector.Tests.Storage;

public sealed class ControlCharactersTests
{
    [Theory]
    [InlineData("line one\nline two", "line one#012line two")]
    [InlineData("crlf\r\n", "crlf#015#012")]
    [InlineData("a\tb", "a#011b")]
    [InlineData("nul\0byte", "nul#000byte")]
    [InlineData("del\u007F", "del#177")]
    [InlineData("esc\u001B[31mred", "esc#033[31mred")]
    [InlineData("\u001F\u0001", "#037#001")]
    [InlineData("no controls at all", "no controls at all")]
    [InlineData("", "")]
    public void EscapesControlCharactersAsHashAndThreeOctalDigits(string input, string expected) =>
        Assert.Equal(expected, Escape(Encoding.UTF8.GetBytes(input)));

    [Fact]
    public void EveryByteBelowSpaceAndDelBecomesItsOctalCode()
    {
        for (int c = 0; c < 256; c++)
        {
            string expected = c < 0x20 || c == 0x7F ? "#" + Convert.ToString(c, 8).PadLeft(3, '0') : Encoding.Latin1.GetString([(byte)c]);
            Assert.Equal(expected, Encoding.Latin1.GetString(EscapeBytes([(byte)c])));
        }
    }

    [Fact]
    public void KeepsUtf8AndOtherBytesFromHexEightyUp()
    {
        const string Text = "café 日本語 😀 ünïcödé";
        Assert.Equal(Text, Escape(Encoding.UTF8.GetBytes(Text)));

        byte[] invalidUtf8 = [0xFF, 0xC3, 0x80, 0xFE];
        Assert.Equal(invalidUtf8, EscapeBytes(invalidUtf8));
    }

    [Fact]
    public void AFrameOfOnlyControlCharactersGrowsToFourTimesItsLengthAndNoMore()
    {
        var source = Enumerable.Range(0, 1000).Select(i => (byte)(i % 32)).ToArray();
        var destination = new byte[ControlCharacters.MaxExpansion * source.Length];
        int written = ControlCharacters.WriteEscaped(destination, source);
        Assert.Equal(destination.Length, written);
        Assert.DoesNotContain(destination, b => b < 0x20 || b == 0x7F);
    }

    private static string Escape(byte[] source) => Encoding.UTF8.GetString(EscapeBytes(source));

    private static byte[] EscapeBytes(byte[] source)
    {
        var destination = new byte[ControlCharacters.MaxExpansion * source.Length];
        int written = ControlCharacters.WriteEscaped(destination, source);
        return destination[..written];
    }

    [Fact]
    public void ReversibleEscapingGivesBackEveryByteSequenceExactly()
    {
        var random = new Random(7);
        byte[] alphabet = [.. "#013478a"u8, 0, 9, 10, 13, 127, 0xC3, 0xA9, 0xFF];
        for (int i = 0; i < 20_000; i++)
        {
            var source = Enumerable.Range(0, random.Next(12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray();
            var escaped = new byte[ControlCharacters.MaxExpansion * source.Length];
            int n = ControlCharacters.WriteEscapedReversibly(escaped, source);
            Assert.DoesNotContain(escaped.Take(n), b => b < 0x20 || b == 0x7F);
            var plain = new byte[n];
            int m = ControlCharacters.Unescape(escaped.AsSpan(0, n), plain);
            Assert.Equal(source, plain[..m]);
        }
    }

    [Theory]
    [InlineData("a#012b#011c#015", "a\nb\tc\r")]
    [InlineData("#400 #38 # #", "#400 #38 # #")]
    [InlineData("#0431 #377", "#1 \u00FF")]
    public void UnescapingUndoesEveryEscapeOfAByteAndLeavesOtherHashesAlone(string stored, string expected)
    {
        var plain = new byte[stored.Length];
        int n = ControlCharacters.Unescape(Encoding.UTF8.GetBytes(stored), plain);
        Assert.Equal(System.Text.RegularExpressions.Regex.Unescape(expected), Encoding.Latin1.GetString(plain, 0, n));
    }
}
