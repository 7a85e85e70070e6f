using System.Buffers;
using Shared.Syslog;
using static Shared.Tests.Syslog.SyslogTestFrames;

namespace Shared.Tests.Syslog;

public class Rfc5424ParserBadInputTests
{
    // Prefixes whose lengths the positions below are counted from.
    private const string Pri = "<13>1 ";            // TIMESTAMP starts at 6
    private const string Nil = "<13>1 - ";          // HOSTNAME starts at 8
    private const string Sd = "<13>1 - - - - - ";   // STRUCTURED-DATA starts at 16
    private const string NoSd = "<13>1 - - - - - -"; // MSG's SP at 17, MSG at 18

    // Each frame is Latin-1 text (one char per byte); the position is the offset of the offending byte.
    public static TheoryData<string, SyslogParseErrorCode, int> Corpus => new()
    {
        // Empty frame: nothing to parse.
        { "", SyslogParseErrorCode.EmptyMessage, 0 },

        // PRI must start with '<'.
        { "13>1 - - - - - -", SyslogParseErrorCode.PriMissing, 0 },

        // An RFC 3164 message without PRI is not RFC 5424.
        { "Nov 22 04:45:59 vm myapp: x", SyslogParseErrorCode.PriMissing, 0 },

        // PRIVAL above 191 (facility 24).
        { "<192>1 - - - - - -", SyslogParseErrorCode.PriTooLarge, 1 },

        // PRIVAL far above 191.
        { "<999>1 - - - - - -", SyslogParseErrorCode.PriTooLarge, 1 },

        // Leading zeros are not allowed in PRIVAL (§6.2.1)...
        { "<0013>1 - - - - - -", SyslogParseErrorCode.PriLeadingZero, 1 },

        // ...not even with three digits...
        { "<013>1 - - - - - -", SyslogParseErrorCode.PriLeadingZero, 1 },

        // ...and "<00>" is not "<0>".
        { "<00>1 - - - - - -", SyslogParseErrorCode.PriLeadingZero, 1 },

        // Empty PRIVAL.
        { "<>1 - - - - - -", SyslogParseErrorCode.PriNotANumber, 1 },

        // Non-digit PRIVAL.
        { "<a>1 - - - - - -", SyslogParseErrorCode.PriNotANumber, 1 },

        // '<' alone.
        { "<", SyslogParseErrorCode.PriNotANumber, 1 },

        // Four digits: the fourth is the error.
        { "<1234>1 - - - - - -", SyslogParseErrorCode.PriNotANumber, 4 },

        // Missing '>' after the digits.
        { "<13 1 - - - - - -", SyslogParseErrorCode.PriUnterminated, 3 },

        // Frame ends inside PRI.
        { "<13", SyslogParseErrorCode.PriUnterminated, 3 },

        // PRI then nothing: VERSION missing.
        { "<13>", SyslogParseErrorCode.VersionInvalid, 4 },

        // PRI then SP: VERSION missing.
        { "<13> - - - - - -", SyslogParseErrorCode.VersionInvalid, 4 },

        // VERSION 0 (NONZERO-DIGIT).
        { "<13>0 - - - - - -", SyslogParseErrorCode.VersionInvalid, 4 },

        // VERSION with a leading zero.
        { "<13>01 - - - - - -", SyslogParseErrorCode.VersionInvalid, 4 },

        // The captured `logger --rfc3164` frame has no VERSION.
        { Logger3164Tcp, SyslogParseErrorCode.VersionInvalid, 4 },

        // VERSION at the end of the frame, no SP.
        { "<13>1", SyslogParseErrorCode.SpaceExpected, 5 },

        // VERSION followed by something other than SP.
        { "<13>1- - - - - -", SyslogParseErrorCode.SpaceExpected, 5 },

        // VERSION has at most three digits.
        { "<13>1000 - - - - - -", SyslogParseErrorCode.SpaceExpected, 7 },

        // NILVALUE timestamp at the end of the frame.
        { "<13>1 -", SyslogParseErrorCode.SpaceExpected, 7 },

        // Timestamp garbage, short: the first bad byte is the first byte.
        { Pri + "garbage", SyslogParseErrorCode.TimestampInvalid, 6 },

        // Timestamp garbage, long enough for a timestamp.
        { Pri + "garbage and more garbage and more", SyslogParseErrorCode.TimestampInvalid, 6 },

        // "--" is neither NILVALUE nor a date.
        { Pri + "-- h a p m -", SyslogParseErrorCode.TimestampInvalid, 6 },

        // NUL where the timestamp starts.
        { Pri + "\0 h a p m -", SyslogParseErrorCode.TimestampInvalid, 6 },

        // A date without a time, at the end of the frame.
        { Pri + "2003-10-11", SyslogParseErrorCode.TimestampInvalid, 16 },

        // A date without a time, followed by SP: 'T' expected at offset 10.
        { Pri + "2003-10-11 h a p m -", SyslogParseErrorCode.TimestampInvalid, 16 },

        // One-digit month.
        { Pri + "2003-1-11T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampInvalid, 12 },

        // SP instead of 'T' (RFC 3339 allows it in prose, RFC 5424 does not).
        { Pri + "2003-10-11 22:14:15Z h a p m -", SyslogParseErrorCode.TimestampInvalid, 16 },

        // No offset.
        { Pri + "2003-10-11T22:14:15 h a p m -", SyslogParseErrorCode.TimestampInvalid, 25 },

        // Fraction, then no offset.
        { Pri + "2003-10-11T22:14:15.003 h a p m -", SyslogParseErrorCode.TimestampInvalid, 29 },

        // '.' without fraction digits.
        { Pri + "2003-10-11T22:14:15.Z h a p m -", SyslogParseErrorCode.TimestampInvalid, 26 },

        // Ten fraction digits: the tenth is the error.
        { Pri + "2003-10-11T22:14:15.1234567890Z h a p m -", SyslogParseErrorCode.TimestampInvalid, 35 },

        // Offset without ':'.
        { Pri + "2003-10-11T22:14:15+0530 h a p m -", SyslogParseErrorCode.TimestampInvalid, 25 },

        // Year 0000 does not exist.
        { Pri + "0000-10-11T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 6 },

        // Month 13.
        { Pri + "2003-13-11T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 11 },

        // Month 0.
        { Pri + "2003-00-11T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 11 },

        // Feb 30.
        { Pri + "2003-02-30T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 14 },

        // Feb 29 in a year that is not a leap year.
        { Pri + "2003-02-29T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 14 },

        // April has 30 days.
        { Pri + "2003-04-31T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 14 },

        // Day 0.
        { Pri + "2003-10-00T22:14:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 14 },

        // Hour 24.
        { Pri + "2003-10-11T24:00:00Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 17 },

        // Minute 60.
        { Pri + "2003-10-11T22:60:15Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 20 },

        // Second 60: RFC 5424 §6.2.3 forbids leap seconds.
        { Pri + "2003-10-11T22:14:60Z h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 23 },

        // Offset +15:00 is beyond the ±14:00 of every real zone.
        { Pri + "2003-10-11T22:14:15+15:00 h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 25 },

        // Offset -14:01.
        { Pri + "2003-10-11T22:14:15-14:01 h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 25 },

        // Offset minutes 60.
        { Pri + "2003-10-11T22:14:15+05:60 h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 25 },

        // Year 0001 east of UTC is before 0001-01-01T00:00Z: out of range, not an exception.
        { Pri + "0001-01-01T00:00:00+01:00 h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 6 },

        // Year 9999 west of UTC is after 9999-12-31T23:59:59Z.
        { Pri + "9999-12-31T23:59:59-01:00 h a p m -", SyslogParseErrorCode.TimestampOutOfRange, 6 },

        // Timestamp not followed by SP.
        { Pri + "2003-10-11T22:14:15Zh a p m -", SyslogParseErrorCode.SpaceExpected, 26 },

        // Two spaces: empty HOSTNAME (NILVALUE must be used).
        { Nil + " app - - - x", SyslogParseErrorCode.FieldEmpty, 8 },

        // Two spaces: empty APP-NAME.
        { Nil + "host  - - - x", SyslogParseErrorCode.FieldEmpty, 13 },

        // NUL inside HOSTNAME.
        { Nil + "ho\0st app - - - x", SyslogParseErrorCode.HeaderNotPrintable, 10 },

        // NUL as HOSTNAME.
        { Nil + "\0 app - - - x", SyslogParseErrorCode.HeaderNotPrintable, 8 },

        // NUL at the end of APP-NAME.
        { Nil + "host app\0 - - - x", SyslogParseErrorCode.HeaderNotPrintable, 16 },

        // Tab inside PROCID.
        { Nil + "host app 12\t3 - - x", SyslogParseErrorCode.HeaderNotPrintable, 19 },

        // UTF-8 in HOSTNAME: header fields are PRINTUSASCII.
        { Nil + "h\u00C3\u00B3st app - - - x", SyslogParseErrorCode.HeaderNotPrintable, 9 },

        // DEL (127) in MSGID.
        { Nil + "h a p m\u007F - x", SyslogParseErrorCode.HeaderNotPrintable, 15 },

        // HOSTNAME of 256 bytes: the 256th is the error.
        { Nil + new string('h', 256) + " app - - - x", SyslogParseErrorCode.HostNameTooLong, 8 + 255 },

        // APP-NAME of 49 bytes.
        { Nil + "h " + new string('a', 49) + " - - - x", SyslogParseErrorCode.AppNameTooLong, 10 + 48 },

        // PROCID of 129 bytes.
        { Nil + "h a " + new string('p', 129) + " - - x", SyslogParseErrorCode.ProcIdTooLong, 12 + 128 },

        // MSGID of 33 bytes.
        { Nil + "h a p " + new string('m', 33) + " - x", SyslogParseErrorCode.MsgIdTooLong, 14 + 32 },

        // Frame ends inside the header.
        { Nil + "h a p", SyslogParseErrorCode.SpaceExpected, 13 },

        // Frame ends after MSGID: no STRUCTURED-DATA.
        { Nil + "h a p m", SyslogParseErrorCode.SpaceExpected, 15 },

        // Frame ends after MSGID's SP.
        { Sd, SyslogParseErrorCode.StructuredDataMissing, 16 },

        // STRUCTURED-DATA neither '-' nor '['.
        { Sd + "x", SyslogParseErrorCode.StructuredDataMissing, 16 },

        // "-x" is not NILVALUE.
        { Sd + "-x", SyslogParseErrorCode.StructuredDataMissing, 16 },

        // Truncated SD after a complete param.
        { Sd + "[x@1 a=\"1\"", SyslogParseErrorCode.SdElementUnterminated, 26 },

        // Truncated SD after the SD-ID.
        { Sd + "[x@1", SyslogParseErrorCode.SdElementUnterminated, 20 },

        // '[' alone.
        { Sd + "[", SyslogParseErrorCode.SdElementUnterminated, 17 },

        // Truncated after a PARAM-NAME.
        { Sd + "[x@1 a", SyslogParseErrorCode.SdElementUnterminated, 22 },

        // Unterminated quote: reported at the opening quote.
        { Sd + "[x@1 a=\"1] msg", SyslogParseErrorCode.SdValueUnterminated, 23 },

        // The only closing quote is escaped.
        { Sd + "[x@1 a=\"1\\\"]", SyslogParseErrorCode.SdValueUnterminated, 23 },

        // The value ends in a lone backslash.
        { Sd + "[x@1 a=\"1\\", SyslogParseErrorCode.SdValueUnterminated, 23 },

        // SD-ID of 33 bytes: the 33rd is the error.
        { Sd + "[" + new string('x', 33) + "]", SyslogParseErrorCode.SdNameTooLong, 17 + 32 },

        // PARAM-NAME of 33 bytes.
        { Sd + "[x@1 " + new string('p', 33) + "=\"1\"]", SyslogParseErrorCode.SdNameTooLong, 21 + 32 },

        // Empty SD-ID.
        { Sd + "[]", SyslogParseErrorCode.SdNameInvalid, 17 },

        // SP before the SD-ID.
        { Sd + "[ x]", SyslogParseErrorCode.SdNameInvalid, 17 },

        // SP before ']' (an empty PARAM-NAME).
        { Sd + "[x@1 ]", SyslogParseErrorCode.SdNameInvalid, 21 },

        // '=' right after the SD-ID.
        { Sd + "[x@1=\"1\"]", SyslogParseErrorCode.SdNameInvalid, 20 },

        // NUL inside the SD-ID.
        { Sd + "[x\0y]", SyslogParseErrorCode.SdNameInvalid, 18 },

        // No SP between two params.
        { Sd + "[x@1 a=\"1\"b=\"2\"]", SyslogParseErrorCode.SdNameInvalid, 26 },

        // '"' where '=' belongs.
        { Sd + "[x@1 a\"1\"]", SyslogParseErrorCode.SdParamEqualsExpected, 22 },

        // PARAM-NAME without a value.
        { Sd + "[x@1 a]", SyslogParseErrorCode.SdParamEqualsExpected, 22 },

        // Unquoted PARAM-VALUE.
        { Sd + "[x@1 a=1]", SyslogParseErrorCode.SdParamQuoteExpected, 23 },

        // Frame ends after '='.
        { Sd + "[x@1 a=", SyslogParseErrorCode.SdParamQuoteExpected, 23 },

        // Invalid UTF-8 in a PARAM-VALUE: a lead byte followed by ASCII.
        { Sd + "[x@1 a=\"\u00C3(\"]", SyslogParseErrorCode.SdValueInvalidUtf8, 24 },

        // A lone continuation byte in the second element's value.
        { Sd + "[x@1 a=\"ok\"][y@1 b=\"\u0080\"]", SyslogParseErrorCode.SdValueInvalidUtf8, 36 },

        // Overlong encoding of '/'.
        { Sd + "[x@1 a=\"\u00C0\u00AF\"]", SyslogParseErrorCode.SdValueInvalidUtf8, 24 },

        // An encoded surrogate (U+D800).
        { Sd + "[x@1 a=\"\u00ED\u00A0\u0080\"]", SyslogParseErrorCode.SdValueInvalidUtf8, 24 },

        // Above U+10FFFF.
        { Sd + "[x@1 a=\"\u00F4\u0090\u0080\u0080\"]", SyslogParseErrorCode.SdValueInvalidUtf8, 24 },

        // SD not followed by SP.
        { Sd + "[x@1 a=\"1\"]x", SyslogParseErrorCode.SpaceExpected, 27 },

        // SD followed by NUL.
        { Sd + "[x@1]\0", SyslogParseErrorCode.SpaceExpected, 21 },

        // Invalid UTF-8 in MSG after the BOM.
        { NoSd + " " + Bom + "ok\u00FF", SyslogParseErrorCode.MessageInvalidUtf8, 23 },

        // A truncated sequence at the end of a BOM MSG.
        { NoSd + " " + Bom + "\u00E2\u0082", SyslogParseErrorCode.MessageInvalidUtf8, 21 },

        // A truncated sequence right before rsyslog's LF.
        { NoSd + " " + Bom + "\u00E2\u0082\n", SyslogParseErrorCode.MessageInvalidUtf8, 21 },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void RejectsBadInputWithTheExactReasonAndPosition(string latin1Frame, SyslogParseErrorCode code, int position)
    {
        byte[] frame = Bytes(latin1Frame);

        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(new SyslogParseError(code, position), error);
        Assert.True(error.IsError);
        Assert.Equal($"{SyslogParseError.Describe(code)} at {position}", error.ToString());
        Assert.Equal(default(SyslogHeader), header);
    }

    [Fact]
    public void DescribesPriorityAbove191ReadablyWithItsPosition()
    {
        Rfc5424Parser.TryParse("<192>1 - - - - - -"u8, out _, out var error);

        Assert.Equal("PRI > 191 at 1", error.ToString());
    }

    [Fact]
    public void EveryPrefixOfAValidFrameParsesOrFailsWithoutThrowing()
    {
        foreach (byte[] frame in ValidFrames())
        {
            for (int length = 0; length <= frame.Length; length++)
            {
                AssertWellBehaved(frame.AsSpan(0, length));
            }
        }
    }

    [Fact]
    public void ReplacingAnyByteWithADelimiterOrInvalidByteNeverThrows()
    {
        byte[] replacements =
        [
            0, (byte)' ', (byte)'"', (byte)'\\', (byte)']', (byte)'[', (byte)'-',
            (byte)'=', (byte)'<', (byte)'>', (byte)'\n', 0x80, 0xC3, 0xFF,
        ];
        foreach (byte[] original in ValidFrames())
        {
            for (int i = 0; i < original.Length; i++)
            {
                foreach (byte b in replacements)
                {
                    byte[] frame = (byte[])original.Clone();
                    frame[i] = b;
                    AssertWellBehaved(frame);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5424)]
    public void RandomMutationsOfValidFramesNeverThrow(int seed)
    {
        var random = new Random(seed);
        var frames = ValidFrames();
        int done = 0;
        for (int iteration = 0; iteration < 10_000; iteration++)
        {
            var frame = new List<byte>(frames[random.Next(frames.Count)]);
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                Mutate(random, frame);
            }

            if (AssertWellBehaved(frame.ToArray()))
            {
                done++;
            }
        }

        // Some mutations (e.g. inside MSG) leave the frame valid; most break it. Both paths must have run.
        Assert.InRange(done, 1, 9_999);
    }

    private static void Mutate(Random random, List<byte> frame)
    {
        int at = frame.Count == 0 ? 0 : random.Next(frame.Count);
        switch (random.Next(5))
        {
            case 0 when frame.Count > 0: // flip one bit
                frame[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when frame.Count > 0: // replace with any byte
                frame[at] = (byte)random.Next(256);
                break;
            case 2: // truncate
                frame.RemoveRange(at, frame.Count - at);
                break;
            case 3: // insert random bytes
                for (int n = random.Next(1, 4); n > 0; n--)
                {
                    frame.Insert(at, (byte)random.Next(256));
                }

                break;
            default: // delete a short run
                frame.RemoveRange(at, Math.Min(frame.Count - at, random.Next(1, 4)));
                break;
        }
    }

    /// <summary>
    /// Parses without throwing; Done means every range lies in the frame, InvalidData means a position in it.
    /// </summary>
    private static bool AssertWellBehaved(ReadOnlySpan<byte> frame)
    {
        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);
        if (status == OperationStatus.InvalidData)
        {
            Assert.True(error.IsError);
            Assert.InRange(error.Position, 0, frame.Length);
            return false;
        }

        Assert.Equal(OperationStatus.Done, status);
        Assert.False(error.IsError);
        foreach (var range in new[] { header.HostName, header.AppName, header.ProcId, header.MsgId, header.StructuredData, header.Message })
        {
            Assert.InRange(range.Start, 0, frame.Length);
            Assert.InRange(range.Length, 0, frame.Length - range.Start);
        }

        // The SD a successful parse returns must be walkable, and materialising must not throw.
        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(header.Message.Length, message.Message.Length);
        return true;
    }
}
