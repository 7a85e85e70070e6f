namespace Collector.Search;

/// <summary>A cursor that names a stored file but no line in it (edited by hand, or from another Collector).</summary>
public sealed class CursorException(string reason) : Exception(reason);
