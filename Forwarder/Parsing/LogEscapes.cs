namespace Forwarder.Parsing;

/// <summary>
/// What a docker "log" value holds besides plain bytes; decides whether it must be copied to be unescaped.
/// </summary>
internal enum LogEscapes : byte
{
    /// <summary>No escape: the value is the content (a 16 KiB partial fragment, usually).</summary>
    None,

    /// <summary>Only the trailing <c>\n</c>: the content is the value without its last two bytes, no copy.</summary>
    NewlineOnly,

    /// <summary>Anything else: unescape with <see cref="JsonString.Unescape"/>.</summary>
    Other,
}
