using System.Text.RegularExpressions;

namespace Collector.Search.Pipeline;

/// <summary><c>| decolorize</c>: ANSI colour and cursor sequences removed from the line (the expression Loki takes from
/// acarl005/stripansi).</summary>
public sealed partial class DecolorizeStage : PipelineStage
{
    public override bool Process(PipelineLine line)
    {
        string plain = Ansi().Replace(line.Line, string.Empty);
        if (!ReferenceEquals(plain, line.Line) && plain != line.Line)
        {
            line.Line = plain;
            line.LineChanged = true;
        }

        return true;
    }

    [GeneratedRegex(
        "[\u001B\u009B][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))")]
    private static partial Regex Ansi();
}
