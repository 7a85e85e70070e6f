using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

public class StructuredDataReaderTests
{
    private static readonly byte[] ThreeElements =
        "[a@1 x=\"1\" y=\"2\" z=\"3\"][b@1][c@1 p=\"v=w r\" q=\"\\\"]\\\\\"]"u8.ToArray();

    [Fact]
    public void ReadsElementsAndParamsInWireOrder()
    {
        var reader = new StructuredDataReader(ThreeElements);
        var seen = new List<string>();
        while (reader.ReadElement(out var id))
        {
            seen.Add("[" + Ascii(id));
            while (reader.ReadParameter(out var name, out var value))
            {
                seen.Add(Ascii(name) + "=" + Ascii(value));
            }
        }

        // Values stay escaped; '=' and SP inside a value are just bytes.
        Assert.Equal(["[a@1", "x=1", "y=2", "z=3", "[b@1", "[c@1", "p=v=w r", "q=\\\"]\\\\"], seen);
    }

    [Fact]
    public void ReadElementSkipsTheParamsNotYetRead()
    {
        var reader = new StructuredDataReader(ThreeElements);

        Assert.True(reader.ReadElement(out var first));
        Assert.True(reader.ReadParameter(out var name, out _));
        Assert.Equal("x", Ascii(name));
        Assert.True(reader.ReadElement(out var second));
        Assert.True(reader.ReadElement(out var third));
        Assert.True(reader.ReadParameter(out name, out _));
        Assert.True(reader.ReadParameter(out var last, out var value));

        Assert.Equal("a@1", Ascii(first));
        Assert.Equal("b@1", Ascii(second));
        Assert.Equal("c@1", Ascii(third));
        Assert.Equal("p", Ascii(name));
        Assert.Equal("q", Ascii(last));
        Assert.True(StructuredDataValue.EqualsUnescaped(value, "\"]\\"u8));
        Assert.False(reader.ReadParameter(out _, out _));
        Assert.False(reader.ReadElement(out _));
    }

    [Fact]
    public void ReadElementWithoutReadingAnyParamGoesToTheNextElement()
    {
        var reader = new StructuredDataReader(ThreeElements);
        var ids = new List<string>();
        while (reader.ReadElement(out var id))
        {
            ids.Add(Ascii(id));
        }

        Assert.Equal(["a@1", "b@1", "c@1"], ids);
    }

    [Fact]
    public void ReadParameterReturnsFalseBeforeTheFirstElement()
    {
        var reader = new StructuredDataReader(ThreeElements);

        Assert.False(reader.ReadParameter(out var name, out var value));
        Assert.True(name.IsEmpty);
        Assert.True(value.IsEmpty);
        Assert.True(reader.ReadElement(out var id));
        Assert.Equal("a@1", Ascii(id));
    }

    [Fact]
    public void ReadParameterStaysFalseAtTheEndOfAnElementUntilTheNextElementIsRead()
    {
        var reader = new StructuredDataReader(ThreeElements);
        Assert.True(reader.ReadElement(out _));
        Assert.True(reader.ReadElement(out _)); // [b@1] has no params

        Assert.False(reader.ReadParameter(out _, out _));
        Assert.False(reader.ReadParameter(out _, out _));
        Assert.True(reader.ReadElement(out var id));
        Assert.Equal("c@1", Ascii(id));
        Assert.True(reader.ReadParameter(out var name, out _));
        Assert.Equal("p", Ascii(name));
    }

    [Fact]
    public void AnEmptySectionHasNoElements()
    {
        var reader = new StructuredDataReader([]);

        Assert.False(reader.ReadElement(out var id));
        Assert.True(id.IsEmpty);
        Assert.False(reader.ReadParameter(out _, out _));
        Assert.False(reader.ReadElement(out _));
    }

    [Fact]
    public void ReadsTheSectionOfAParsedFrame()
    {
        byte[] frame = SyslogTestFrames.OctetCounted(SyslogTestFrames.LoggerSdUtf8);
        var (header, _) = Rfc5424ParserTests.Parse(frame);
        var reader = new StructuredDataReader(header.StructuredData.Slice(frame));

        Assert.True(reader.ReadElement(out _));
        Assert.True(reader.ReadElement(out var id));
        Assert.Equal("exampleSDID@32473", Ascii(id));
        Assert.True(reader.ReadParameter(out _, out _));
        Assert.True(reader.ReadParameter(out var name, out var value));
        Assert.Equal("eventSource", Ascii(name));
        Assert.Equal("Application", Ascii(value));
        Assert.True(reader.ReadElement(out id));
        Assert.Equal("origin", Ascii(id));
        Assert.False(reader.ReadElement(out _));
    }

    [Fact]
    public void ReturnsUtf8ValuesAsTheirBytes()
    {
        byte[] section = Encoding.UTF8.GetBytes("[a v=\"\u00FC\U0001F600\"]");
        var reader = new StructuredDataReader(section);

        Assert.True(reader.ReadElement(out _));
        Assert.True(reader.ReadParameter(out _, out var value));
        Assert.Equal(Encoding.UTF8.GetBytes("\u00FC\U0001F600"), value.ToArray());
    }

    private static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
