namespace Forwarder.Multiline;

/// <summary>The stack-trace shapes <see cref="PresetRule"/> knows; <c>auto</c> is all of them.</summary>
[Flags]
public enum MultilinePresets
{
    None = 0,
    Java = 1,
    Python = 2,
    Go = 4,
    Node = 8,
    DotNet = 16,
    Ruby = 32,
    All = Java | Python | Go | Node | DotNet | Ruby,
}
