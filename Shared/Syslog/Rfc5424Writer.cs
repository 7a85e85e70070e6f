using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Shared.Syslog;

/// <summary>
/// Writes one RFC 5424 message to an <see cref="IBufferWriter{T}"/> in order:
/// <see cref="WriteHeader(SyslogPriority, SyslogTimestamp,
/// ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char})"/>,
/// then any number of SD elements (<see cref="StartElement"/>,
/// <see cref="WriteParameter(ReadOnlySpan{char}, ReadOnlySpan{char})"/>, <see cref="EndElement"/>), then
/// <see cref="WriteMessage(ReadOnlySpan{byte}, bool)"/> or <see cref="Complete"/>. Allocates nothing. Values are made
/// valid rather than rejected: header bytes outside PRINTUSASCII and forbidden SD-NAME bytes become '_', fields are cut
/// to their RFC lengths (255/48/128/32), empty fields become NILVALUE, PARAM-VALUEs are escaped (§6.3.3) and invalid
/// UTF-8 becomes U+FFFD.
/// </summary>
public ref struct Rfc5424Writer
{
    public const int MaxHostNameLength = 255;
    public const int MaxAppNameLength = 48;
    public const int MaxProcIdLength = 128;
    public const int MaxMsgIdLength = 32;

    private const byte Replacement = (byte)'_';
    private const int MaxHeaderLength =
        7 + Rfc3339.MaxLength + 1 + MaxHostNameLength + 1 + MaxAppNameLength + 1 + MaxProcIdLength + 1 + MaxMsgIdLength;
    private const int CharChunk = 1024;
    private const int ShortValueLength = 256;
    private const int MinimumSpan = 1024;

    private readonly IBufferWriter<byte> _output;
    private State _state;

    // Bytes are written into one span from the output and advanced once, when the message is complete: each
    // GetSpan/Advance pair is an interface call, and a message was ~10 of them (Utf8JsonWriter does the same).
    private Span<byte> _span;
    private int _buffered;

    public Rfc5424Writer(IBufferWriter<byte> output)
    {
        _output = output;
        _state = State.Start;
    }

    private enum State
    {
        Start,
        AfterHeader,
        InElement,
        AfterElement,
        Complete,
    }

    /// <summary>Writes a whole message, e.g. one built by hand or materialised from a parsed frame.</summary>
    public static void Write(IBufferWriter<byte> output, SyslogMessage message)
    {
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(message.Priority, message.Timestamp, message.HostName, message.AppName, message.ProcId, message.MsgId);
        foreach (var element in message.StructuredData)
        {
            writer.StartElement(element.Id);
            foreach (var (name, value) in element.Parameters)
            {
                writer.WriteParameter(name, value);
            }

            writer.EndElement();
        }

        if (message.HasMessage)
        {
            writer.WriteMessage(message.Message.Span, message.HasBom);
        }
        else
        {
            writer.Complete();
        }
    }

    /// <summary>Writes <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID</c> from UTF-16 text.</summary>
    public void WriteHeader(
        SyslogPriority priority,
        SyslogTimestamp timestamp,
        ReadOnlySpan<char> hostName,
        ReadOnlySpan<char> appName,
        ReadOnlySpan<char> procId,
        ReadOnlySpan<char> msgId)
    {
        var span = StartHeader(priority, timestamp, out int pos);
        pos += WriteField(span[pos..], hostName, MaxHostNameLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], appName, MaxAppNameLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], procId, MaxProcIdLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], msgId, MaxMsgIdLength);
        Commit(pos);
        _state = State.AfterHeader;
    }

    /// <summary>
    /// Same as the text overload for fields already encoded as bytes (e.g. the node name, encoded once at startup).
    /// </summary>
    public void WriteHeader(
        SyslogPriority priority,
        SyslogTimestamp timestamp,
        ReadOnlySpan<byte> hostName,
        ReadOnlySpan<byte> appName,
        ReadOnlySpan<byte> procId,
        ReadOnlySpan<byte> msgId)
    {
        var span = StartHeader(priority, timestamp, out int pos);
        pos += WriteField(span[pos..], hostName, MaxHostNameLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], appName, MaxAppNameLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], procId, MaxProcIdLength);
        span[pos++] = (byte)' ';
        pos += WriteField(span[pos..], msgId, MaxMsgIdLength);
        Commit(pos);
        _state = State.AfterHeader;
    }

    /// <summary>Opens <c>[SD-ID</c>. The SD-ID must not be empty.</summary>
    public void StartElement(ReadOnlySpan<char> id)
    {
        // Checked before anything is written, so a rejected SD-ID leaves no stray SP behind.
        ThrowIfEmptyName(id);
        BeginStructuredData();
        var span = Reserve(1 + StructuredDataSyntax.MaxNameLength);
        span[0] = (byte)'[';
        int length = WriteSdName(span[1..], id);
        Commit(1 + length);
        _state = State.InElement;
    }

    /// <summary>Writes <c> NAME="value"</c> with the value escaped (§6.3.3).</summary>
    public void WriteParameter(ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        // Fast path for the usual value (a Kubernetes name or id): short ASCII with nothing to escape, one
        // span, one pass.
        if (value.Length <= ShortValueLength)
        {
            Expect(State.InElement);
            var span = Reserve(1 + StructuredDataSyntax.MaxNameLength + 2 + value.Length + 1);
            int pos = WriteParameterStart(span, name);
            if (TryCopyPlainAscii(value, span[pos..]))
            {
                pos += value.Length;
                span[pos++] = (byte)'"';
                Commit(pos);
                return;
            }
        }

        StartParameter(name);
        while (!value.IsEmpty)
        {
            int take = Math.Min(value.Length, CharChunk);
            if (take < value.Length && char.IsHighSurrogate(value[take - 1]))
            {
                take--; // keep a surrogate pair in one chunk
            }

            WriteEscapedChars(value[..take]);
            value = value[take..];
        }

        EndParameter();
    }

    /// <summary>Writes <c> NAME="value"</c> from UTF-8 bytes, escaped; invalid UTF-8 becomes U+FFFD.</summary>
    public void WriteParameter(ReadOnlySpan<char> name, ReadOnlySpan<byte> utf8Value)
    {
        if (!Utf8.IsValid(utf8Value))
        {
            WriteParameter(name, Encoding.UTF8.GetString(utf8Value));
            return;
        }

        StartParameter(name);
        var span = Reserve(StructuredDataValue.MaxEscapedLength(utf8Value.Length));
        Commit(StructuredDataValue.Escape(utf8Value, span));
        EndParameter();
    }

    public void EndElement()
    {
        Expect(State.InElement);
        WriteByte((byte)']');
        _state = State.AfterElement;
    }

    /// <summary>
    /// Writes a STRUCTURED-DATA section taken verbatim from a parsed message
    /// (<see cref="SyslogHeader.StructuredData"/>).
    /// </summary>
    public void WriteStructuredData(ReadOnlySpan<byte> structuredData)
    {
        if (structuredData.IsEmpty)
        {
            // Nothing to write, but the call must still be legal here.
            ExpectStructuredDataAllowed();
            return;
        }

        BeginStructuredData();
        Append(structuredData);
        _state = State.AfterElement;
    }

    /// <summary>
    /// Writes <c>SP MSG</c> (with the BOM first when <paramref name="bom"/>) and completes the message.
    /// </summary>
    public void WriteMessage(ReadOnlySpan<byte> message, bool bom = false)
    {
        if (bom && !Utf8.IsValid(message))
        {
            WriteMessage(Encoding.UTF8.GetString(message), bom);
            return;
        }

        EndStructuredData();
        WriteByte((byte)' ');
        if (bom)
        {
            Append(Rfc5424Parser.Bom);
        }

        Append(message);
        Flush();
        _state = State.Complete;
    }

    public void WriteMessage(ReadOnlySpan<char> message, bool bom = false)
    {
        EndStructuredData();
        WriteByte((byte)' ');
        if (bom)
        {
            Append(Rfc5424Parser.Bom);
        }

        while (!message.IsEmpty)
        {
            int take = Math.Min(message.Length, CharChunk);
            if (take < message.Length && char.IsHighSurrogate(message[take - 1]))
            {
                take--;
            }

            var span = Reserve(Encoding.UTF8.GetMaxByteCount(take));
            Commit(Encoding.UTF8.GetBytes(message[..take], span));
            message = message[take..];
        }

        Flush();
        _state = State.Complete;
    }

    /// <summary>Completes a message that has no MSG.</summary>
    public void Complete()
    {
        EndStructuredData();
        Flush();
        _state = State.Complete;
    }

    private Span<byte> StartHeader(SyslogPriority priority, SyslogTimestamp timestamp, out int pos)
    {
        Expect(State.Start);
        var span = Reserve(MaxHeaderLength);
        span[0] = (byte)'<';
        pos = 1;
        int value = priority.Value;
        if (value >= 100)
        {
            span[pos++] = (byte)('0' + (value / 100));
        }

        if (value >= 10)
        {
            span[pos++] = (byte)('0' + (value / 10 % 10));
        }

        span[pos++] = (byte)('0' + (value % 10));
        span[pos] = (byte)'>';
        span[pos + 1] = (byte)'1';
        span[pos + 2] = (byte)' ';
        pos += 3;
        if (timestamp.HasValue)
        {
            pos += Rfc3339.Write(span[pos..], timestamp);
        }
        else
        {
            span[pos++] = (byte)'-';
        }

        span[pos++] = (byte)' ';
        return span;
    }

    private void BeginStructuredData()
    {
        ExpectStructuredDataAllowed();
        if (_state == State.AfterHeader)
        {
            WriteByte((byte)' ');
        }
    }

    private readonly void ExpectStructuredDataAllowed()
    {
        if (_state is not (State.AfterHeader or State.AfterElement))
        {
            throw new InvalidOperationException($"An SD element cannot start in state {_state}.");
        }
    }

    private void EndStructuredData()
    {
        if (_state == State.AfterHeader)
        {
            var span = Reserve(2);
            span[0] = (byte)' ';
            span[1] = (byte)'-';
            Commit(2);
        }
        else if (_state != State.AfterElement)
        {
            throw new InvalidOperationException($"The message cannot end in state {_state}.");
        }
    }

    private void StartParameter(ReadOnlySpan<char> name)
    {
        Expect(State.InElement);
        var span = Reserve(1 + StructuredDataSyntax.MaxNameLength + 2);
        Commit(WriteParameterStart(span, name));
    }

    /// <summary>Writes <c> NAME="</c> and returns its length.</summary>
    private static int WriteParameterStart(Span<byte> span, ReadOnlySpan<char> name)
    {
        span[0] = (byte)' ';
        int pos = 1 + WriteSdName(span[1..], name);
        span[pos++] = (byte)'=';
        span[pos++] = (byte)'"';
        return pos;
    }

    private void EndParameter() => WriteByte((byte)'"');

    private void WriteEscapedChars(ReadOnlySpan<char> value)
    {
        // Escape by bytes after encoding: the three characters are ASCII, so escaping UTF-8 equals escaping text.
        int maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = Reserve(maxBytes * 2);
        int encoded = Encoding.UTF8.GetBytes(value, span[maxBytes..]);
        var utf8 = span.Slice(maxBytes, encoded);
        if (utf8.IndexOfAny(StructuredDataValue.EscapedBytes) < 0)
        {
            utf8.CopyTo(span);
            Commit(encoded);
            return;
        }

        // Escaping may grow the text past maxBytes, over its own unread input: escape from a copy.
        byte[] rented = ArrayPool<byte>.Shared.Rent(encoded);
        try
        {
            utf8.CopyTo(rented);
            Commit(StructuredDataValue.Escape(rented.AsSpan(0, encoded), span));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        Commit(1);
    }

    /// <summary>Free space of at least <paramref name="size"/> bytes after what is buffered.</summary>
    private Span<byte> Reserve(int size)
    {
        if (_span.Length - _buffered < size)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(size, MinimumSpan));
        }

        return _span[_buffered..];
    }

    private void Commit(int count) => _buffered += count;

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Commit(bytes.Length);
    }

    /// <summary>Hands the buffered bytes to the output; the span is not used after this.</summary>
    private void Flush()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
        }

        _buffered = 0;
        _span = default;
    }

    private readonly void Expect(State state)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"Expected state {state}, was {_state}.");
        }
    }

    private static int WriteField(Span<byte> destination, ReadOnlySpan<char> value, int maxLength)
    {
        if (value.IsEmpty)
        {
            destination[0] = (byte)'-';
            return 1;
        }

        int length = Math.Min(value.Length, maxLength);

        // Usual case: PRINTUSASCII already; narrow it vectorised and check the bytes once.
        if (Ascii.FromUtf16(value[..length], destination, out _) == OperationStatus.Done
            && destination[..length].IndexOfAnyExceptInRange((byte)33, (byte)126) < 0)
        {
            return length;
        }
        for (int i = 0; i < length; i++)
        {
            char c = value[i];
            destination[i] = c is >= (char)33 and <= (char)126 ? (byte)c : Replacement;
        }

        return length;
    }

    private static int WriteField(Span<byte> destination, ReadOnlySpan<byte> value, int maxLength)
    {
        if (value.IsEmpty)
        {
            destination[0] = (byte)'-';
            return 1;
        }

        int length = Math.Min(value.Length, maxLength);
        value = value[..length];
        if (value.IndexOfAnyExceptInRange((byte)33, (byte)126) < 0)
        {
            value.CopyTo(destination);
            return length;
        }

        for (int i = 0; i < length; i++)
        {
            byte b = value[i];
            destination[i] = b is >= 33 and <= 126 ? b : Replacement;
        }

        return length;
    }

    private static void ThrowIfEmptyName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            throw new ArgumentException("An SD-NAME must not be empty.", nameof(name));
        }
    }

    private static int WriteSdName(Span<byte> destination, ReadOnlySpan<char> name)
    {
        ThrowIfEmptyName(name);
        int length = Math.Min(name.Length, StructuredDataSyntax.MaxNameLength);
        var table = StructuredDataSyntax.NameTable;
        for (int i = 0; i < length; i++)
        {
            char c = name[i];
            destination[i] = c < 128 && table[c] != 0 ? (byte)c : Replacement;
        }

        return length;
    }

    /// <summary>
    /// Copies <paramref name="value"/> as bytes when it is ASCII with nothing to escape (the usual Kubernetes name or
    /// id); false, with <paramref name="destination"/> partly written, otherwise.
    /// </summary>
    private static bool TryCopyPlainAscii(ReadOnlySpan<char> value, Span<byte> destination)
    {
        if (value.Length >= 16)
        {
            return Ascii.FromUtf16(value, destination, out int written) == OperationStatus.Done
                && destination[..written].IndexOfAny(StructuredDataValue.EscapedBytes) < 0;
        }

        // Short values: one pass without branches per character is cheaper than the setup of two vectorised calls.
        var escaped = StructuredDataValue.EscapedAsciiTable;
        uint unusual = 0;
        destination = destination[..value.Length];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            unusual |= (uint)(c >> 7) | escaped[c & 0x7F];
            destination[i] = (byte)c;
        }

        return unusual == 0;
    }
}
