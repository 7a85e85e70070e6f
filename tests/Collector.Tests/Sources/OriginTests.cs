using System.Text;
using Collector.Sources;

namespace Collector.Tests.Sources;

/// <summary>Reading the origin element out of a STRUCTURED-DATA section: only a real element counts.</summary>
public sealed class OriginTests
{
    [Theory]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"0-10\"]", 0, 10)]
    [InlineData("[k8s@32473 pod=\"a\\]b\"][o@32473 s=\"00000000000000aa\" p=\"5-7\" f=\"/x/\\\"y\\\".log\"]", 5, 7)]
    [InlineData("[o@32473 s=\"00000000000000aa\" p=\"3-9\"][x@1 a=\"b\"]", 3, 9)]
    [InlineData("[o@32473 x=\"1\" p=\"0-0\" s=\"00000000000000aa\"]", 0, 0)]
    public void ReadsTheElementWhereverItIs(string sd, long from, long to)
    {
        Assert.True(Origin.TryRead(Encoding.UTF8.GetBytes(sd), out var origin, out _, out bool malformed));
        Assert.False(malformed);
        Assert.Equal(new Origin(0xaa, from, to), origin);
    }

    [Theory]
    [InlineData("[k8s@32473 pod=\"a\"]")]
    [InlineData("[x@1 v=\"[o@32473 s=\\\"00000000000000aa\\\" p=\\\"0-10\\\"\\]\"]")]
    [InlineData("[x@1 v=\"\\][o@32473 s=x00000000000000aa\" p=\"0-10\"]")]
    [InlineData("[x@1 v=\"[o@32473 s=\" p=\"0-10\"]")]
    public void TextInsideAnotherElementIsNoOrigin(string sd)
    {
        Assert.False(Origin.TryRead(Encoding.UTF8.GetBytes(sd), out _, out _, out bool malformed));
        Assert.False(malformed);
    }

    [Fact]
    public void TheFirstLineOfAFileIsItsPathOnlyWhenGiven()
    {
        Assert.True(Origin.TryRead("[o@32473 s=\"00000000000000aa\" p=\"0-10\" f=\"/var/log/a.log\"]"u8, out _, out var path, out _));
        Assert.Equal("/var/log/a.log", Encoding.UTF8.GetString(path));
        Assert.True(Origin.TryRead("[o@32473 s=\"00000000000000aa\" p=\"10-20\"]"u8, out _, out path, out _));
        Assert.True(path.IsEmpty);
    }

    [Fact]
    public void ALostParameterNamesTheSourceAndWhereItsLossStarts()
    {
        var sd = "[k8s@32473 pod=\"a\"][o@32473 s=\"00000000000000bb\" p=\"0-10\" f=\"/var/log/a.log\" lost=\"00000000000000aa@4711\"]"u8;
        Assert.True(Origin.TryReadLost(sd, out ulong source, out long from));
        Assert.Equal((0xaaUL, 4711L), (source, from));

        // The element itself still reads as before: the parameter changes nothing about this message's own origin.
        Assert.True(Origin.TryRead(sd, out var origin, out _, out bool malformed));
        Assert.False(malformed);
        Assert.Equal(new Origin(0xbb, 0, 10), origin);
    }

    [Theory]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\"]")]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\" lost=\"00000000000000aa\"]")]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\" lost=\"00000000000000AA@1\"]")]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\" lost=\"000000000000aa@1\"]")]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\" lost=\"00000000000000aa@-1\"]")]
    [InlineData("[o@32473 s=\"00000000000000bb\" p=\"0-10\" lost=\"00000000000000aa@01\"]")]
    [InlineData("[x@1 lost=\"00000000000000aa@1\"][o@32473 s=\"00000000000000bb\" p=\"0-10\"]")]
    [InlineData("[x@1 v=\"[o@32473 lost=\\\"00000000000000aa@1\\\"\\]\"]")]
    public void ALostParameterNotAsAForwarderWritesItIsIgnored(string sd)
    {
        Assert.False(Origin.TryReadLost(Encoding.UTF8.GetBytes(sd), out _, out _));
    }
}
