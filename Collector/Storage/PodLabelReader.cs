using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// The pod label params (<c>l.KEY</c>) of a line's STRUCTURED-DATA, in any element, in order, each with its label name
/// (<see cref="PodLabelName"/>) and its value still escaped. Every one is read, duplicates too: the caller keeps the
/// first of a name.
/// </summary>
public ref struct PodLabelReader(ReadOnlySpan<byte> structuredData)
{
    private StructuredDataReader _sd = new(structuredData);
    private bool _inElement;

    /// <summary>
    /// The next pod label: its name written to <paramref name="name"/> (at least <see cref="PodLabelName.MaxLength"/>
    /// bytes), <paramref name="nameLength"/> bytes long. False at the end.
    /// </summary>
    public bool Read(scoped Span<byte> name, out int nameLength, out ReadOnlySpan<byte> escapedValue)
    {
        while (true)
        {
            if (!_inElement)
            {
                if (!_sd.ReadElement(out _))
                {
                    nameLength = 0;
                    escapedValue = default;
                    return false;
                }

                _inElement = true;
            }

            while (_sd.ReadParameter(out var param, out escapedValue))
            {
                if (PodLabelName.TryWrite(param, name, out nameLength))
                {
                    return true;
                }
            }

            _inElement = false;
        }
    }
}
