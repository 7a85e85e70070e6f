namespace Shared.Syslog;

/// <summary>
/// Walks a STRUCTURED-DATA section the parser has validated, element by element and parameter by parameter,
/// without allocating. Values come back still escaped; use <see cref="StructuredDataValue"/> to compare or unescape.
/// <code>
/// var sd = new StructuredDataReader(header.StructuredData.Slice(frame));
/// while (sd.ReadElement(out var id)) { while (sd.ReadParameter(out var name, out var value)) { … } }
/// </code>
/// </summary>
public ref struct StructuredDataReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private bool _inElement;

    public StructuredDataReader(ReadOnlySpan<byte> structuredData)
    {
        _data = structuredData;
        _pos = 0;
        _inElement = false;
    }

    /// <summary>Moves to the next SD-ELEMENT (skipping parameters not yet read). False at the end.</summary>
    public bool ReadElement(out ReadOnlySpan<byte> id)
    {
        id = default;
        if (_inElement)
        {
            while (ReadParameter(out _, out _))
            {
            }
        }

        if (_pos >= _data.Length || _data[_pos] != '[')
        {
            return false;
        }

        _pos++;
        if (StructuredDataSyntax.ReadName(_data, ref _pos, out var range) != SyslogParseErrorCode.None)
        {
            _pos = _data.Length;
            return false;
        }

        id = range.Slice(_data);
        _inElement = true;
        return true;
    }

    /// <summary>Reads the next SD-PARAM of the current element. False (and the element is closed) at its ']'.</summary>
    public bool ReadParameter(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> escapedValue)
    {
        name = default;
        escapedValue = default;
        if (!_inElement || _pos >= _data.Length)
        {
            return false;
        }

        if (_data[_pos] != ' ')
        {
            _pos++; // ']'
            _inElement = false;
            return false;
        }

        _pos++;
        if (StructuredDataSyntax.ReadName(_data, ref _pos, out var nameRange) != SyslogParseErrorCode.None
            || _pos + 1 >= _data.Length)
        {
            _pos = _data.Length;
            return false;
        }

        int valueStart = _pos + 2; // after '="'
        int end = StructuredDataSyntax.FindValueEnd(_data, valueStart);
        if (end < 0)
        {
            _pos = _data.Length;
            return false;
        }

        name = nameRange.Slice(_data);
        escapedValue = _data[valueStart..end];
        _pos = end + 1;
        return true;
    }
}
