using System.Text;
using Collector.Search;

namespace Collector.Tests.Search;

public sealed class LiteralFinderTests
{
    [Fact]
    public void FindsWhatSpanIndexOfAndLastIndexOfFindInRandomTextOfEveryLength()
    {
        // A two-letter alphabet makes near misses (first and last byte right, middle wrong) common.
        var random = new Random(5);
        for (int round = 0; round < 20_000; round++)
        {
            byte[] text = RandomBytes(random, random.Next(0, 300), "ab\n");
            byte[] literal = RandomBytes(random, random.Next(1, 12), "ab");
            var finder = new LiteralFinder(literal);
            string context = $"literal '{Encoding.ASCII.GetString(literal)}' in '{Encoding.ASCII.GetString(text)}'";
            Assert.True(text.AsSpan().IndexOf(literal) == finder.IndexOf(text), context);
            Assert.True(text.AsSpan().LastIndexOf(literal) == finder.LastIndexOf(text), context);
        }
    }

    [Fact]
    public void FindsALiteralAtEveryPositionOfALongText()
    {
        byte[] literal = "rare-needle-4242"u8.ToArray();
        var finder = new LiteralFinder(literal);
        for (int length = literal.Length; length < 400; length += 7)
        {
            for (int at = 0; at + literal.Length <= length; at++)
            {
                var text = new byte[length];
                text.AsSpan().Fill((byte)'x');
                literal.CopyTo(text, at);
                Assert.Equal(at, finder.IndexOf(text));
                Assert.Equal(at, finder.LastIndexOf(text));
            }
        }
    }

    [Fact]
    public void ReturnsTheFirstAndTheLastOfSeveralOccurrences()
    {
        var finder = new LiteralFinder("abca"u8.ToArray());
        byte[] text = Encoding.ASCII.GetBytes(new string('x', 70) + "abcabca" + new string('x', 100) + "abca" + new string('y', 3));
        Assert.Equal(70, finder.IndexOf(text));
        Assert.Equal(177, finder.LastIndexOf(text));
        Assert.Equal(-1, finder.IndexOf(text.AsSpan(0, 73)));
        Assert.Equal(-1, finder.LastIndexOf([]));
    }

    [Fact]
    public void ALiteralOfZeroBytesIsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new LiteralFinder([]));

    private static byte[] RandomBytes(Random random, int length, string alphabet)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)alphabet[random.Next(alphabet.Length)];
        }

        return bytes;
    }
}
