using System.Text;
using Shared.Transport;

namespace Shared.Tests.Transport;

public sealed class Utf8TruncationTests
{
    [Theory]
    [InlineData("abc", 5, 3)]
    [InlineData("abcdef", 4, 4)]
    [InlineData("abü", 3, 2)] // ü = C3 BC: cutting after C3 would split it
    [InlineData("abü", 4, 4)]
    [InlineData("a€", 3, 1)] // € = E2 82 AC
    [InlineData("a€", 2, 1)]
    [InlineData("a😀", 4, 1)] // 😀 = F0 9F 98 80
    [InlineData("a😀b", 5, 5)]
    public void CutsAtTheLastCharacterBoundaryWithinTheBudget(string text, int maxBytes, int expected)
    {
        Assert.Equal(expected, Utf8Truncation.FitLength(Encoding.UTF8.GetBytes(text), maxBytes));
    }

    [Fact]
    public void InvalidUtf8WithLongContinuationRunsIsCutAtTheBudget()
    {
        byte[] bytes = [(byte)'a', 0x80, 0x80, 0x80, 0x80, 0x80, 0x80];

        Assert.Equal(5, Utf8Truncation.FitLength(bytes, 5));
    }
}
