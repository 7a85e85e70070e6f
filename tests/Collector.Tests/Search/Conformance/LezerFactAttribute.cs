namespace Collector.Tests.Search.Conformance;

/// <summary>
/// A fact that needs node and the tool's node_modules: skipped with the reason when either is missing, failed under
/// REQUIRE_PEERS=1 (as <see cref="TestSupport.PeerFactAttribute"/>).
/// </summary>
public sealed class LezerFactAttribute : FactAttribute
{
    public LezerFactAttribute() => Skip = LezerLogQl.SkipReason();
}
