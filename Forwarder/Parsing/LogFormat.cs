namespace Forwarder.Parsing;

/// <summary>How a tailed file's lines are written.</summary>
public enum LogFormat
{
    /// <summary>Decided by the first non-empty line, then fixed for the file.</summary>
    Auto,

    /// <summary>Docker's json-file driver: <c>{"log":"…\n","stream":"stdout","time":"…"}</c>.</summary>
    Docker,

    /// <summary>The CRI log format of containerd and CRI-O: <c>TIME STREAM TAGS CONTENT</c>.</summary>
    Cri,

    /// <summary>Any other text file: one line, one entry.</summary>
    Plain,
}
