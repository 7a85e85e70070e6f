namespace Collector.Search.Pipeline;

/// <summary>The values of <c>__error__</c> (pkg/logql/log/error.go).</summary>
public static class PipelineErrors
{
    public const string Json = "JSONParserErr";
    public const string Logfmt = "LogfmtParserErr";
    public const string LabelFilter = "LabelFilterErr";
    public const string TemplateFormat = "TemplateFormatErr";
}
