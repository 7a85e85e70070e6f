namespace Collector.Tests.Search.Conformance;

/// <summary>
/// The corpus queries on which the Collector and @grafana/lezer-logql knowingly differ, each with why: features the
/// Collector does not implement, its own extensions, and places where lezer-logql is looser or stricter than Loki's
/// grammar (pkg/logql/syntax/expr.y). Listed in docs/loki-api.md; LogQlConformanceTests fails when this is not exactly
/// the set of disagreements, so an implemented feature and a new regression both show.
/// </summary>
public static class KnownDisagreements
{
    private const string VectorMatching = "not implemented here: vector matching (on, ignoring, group_left, group_right)";
    private const string LabelReplace = "not implemented here: label_replace";
    private const string RateCounter = "not implemented here: rate_counter";
    private const string TemplateDates =
        "not implemented here: the template functions now, date, toDate, toDateInZone and unixToTime";
    private const string TemplateRange = "not implemented here: {{range}}, variables and fromJson in templates";
    private const string SeverityComparison =
        "a kube-syslog extension: < <= > >= on severity in the selector (docs/api.md); Loki has = != =~ !~ only";
    private const string EmptySelector =
        "a kube-syslog extension: {} selects every line (docs/api.md); Loki requires at least one matcher";
    private const string LezerLacksSpaceAsAnd =
        "lezer-logql lacks expr.y's 'labelFilter labelFilter' (two filters side by side mean and); Loki's docs give this "
        + "query as equal to the ',' and 'and' forms, and the Collector accepts it as Loki does";
    private const string LezerAcceptsTopkWithoutK =
        "lezer-logql accepts topk without k; Loki refuses it (parameter required for operation topk), as the Collector does";
    private const string LezerAcceptsQuantileWithoutPhi =
        "lezer-logql accepts quantile_over_time without φ; Loki's grammar requires it, as the Collector does";

    public sealed record Known(string Query, bool CollectorAccepts, string Reason);

    public static IReadOnlyList<Known> All { get; } =
    [
        new(
            "{job=\"varlogs\"} | duration >= 20ms or size == 20KB  method!~\"2..\"",
            CollectorAccepts: true,
            LezerLacksSpaceAsAnd),
        new(
            "rate_counter({job=\"mysql\"} | logfmt | unwrap requests_total [1m])",
            CollectorAccepts: false,
            RateCounter),
        new(
            "max by(machine) (count_over_time({app=\"foo\"}[1m])) > bool ignoring(machine) avg(count_over_time({app"
                + "=\"foo\"}[1m]))",
            CollectorAccepts: false,
            VectorMatching),
        new(
            "sum by(machine) (count_over_time({app=\"foo\"}[1m])) / on() sum(count_over_time({app=\"foo\"}[1m]))",
            CollectorAccepts: false,
            VectorMatching),
        new(
            "sum by (app, status) (\n  rate(\n    {job=\"http-server\"}\n      | json\n      [5m]\n  )\n  )\n  / on (app) "
                + "group_left\n  sum by (app) (\n  rate(\n    {job=\"http-server\"}\n      | json\n      [5m]\n  )\n  )",
            CollectorAccepts: false,
            VectorMatching),
        new(
            "sum by (user, namespace) (\n  rate(\n    {job=\"events\"}\n      | logfmt\n      | discarded=\"true\"\n      "
                + "[5m]\n  )\n  )\n  * on (user) group_left(organization)\n  max_over_time(\n  {job=\"cost-calculator\"}\n    |"
                + " logfmt\n    | unwrap cost\n    [5m]\n  ) by (user, organization)",
            CollectorAccepts: false,
            VectorMatching),
        new(
            "sum by (pod) (rate({app=\"foo\"}[1m])) / on (pod) group_right sum by (pod) (rate({app=\"bar\"}[1m]))",
            CollectorAccepts: false,
            VectorMatching),
        new(
            "label_replace(rate({job=\"api-server\",service=\"a:c\"} |= \"err\" [1m]), \"foo\", \"$1\",\n  \"service\", \"(.*):"
                + ".*\")",
            CollectorAccepts: false,
            LabelReplace),
        new(
            "{job=\"loki/querier\"} | label_format nowEpoch=`{{(unixEpoch now)}}`,createDateEpoch=`{{unixEpoch (toD"
                + "ate \"2006-01-02\" .createDate)}}` | label_format dateTimeDiff=`{{sub .nowEpoch .createDateEpoch}}` | "
                + "dateTimeDiff > 86400",
            CollectorAccepts: false,
            TemplateDates),
        new(
            "{job=\"loki/querier\"} |= \"finish in prometheus\" | logfmt | line_format `{{ range $q := fromJson .quer"
                + "ies }} {{ $q.query }} {{ end }}`",
            CollectorAccepts: false,
            TemplateRange),
        new(
            "{job=\"x\"} | line_format `{{ __timestamp__ | date \"2006-01-02T15:04:05.00Z-07:00\" }}`",
            CollectorAccepts: false,
            TemplateDates),
        new(
            "{job=\"x\"} | line_format `{{ toDateInZone \"2006-01-02\" \"UTC\" \"2021-11-02\" }}`",
            CollectorAccepts: false,
            TemplateDates),
        new(
            "{job=\"x\"} | line_format `{{ unixEpochMillis now }}`",
            CollectorAccepts: false,
            TemplateDates),
        new(
            "{severity<=\"warning\"}",
            CollectorAccepts: true,
            SeverityComparison),
        new(
            "{}",
            CollectorAccepts: true,
            EmptySelector),
        new(
            "topk(count_over_time({job=\"mysql\"}[5m]))",
            CollectorAccepts: false,
            LezerAcceptsTopkWithoutK),
        new(
            "quantile_over_time({job=\"mysql\"} | logfmt | unwrap latency [5m])",
            CollectorAccepts: false,
            LezerAcceptsQuantileWithoutPhi),
    ];
}
