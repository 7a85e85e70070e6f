using Collector.Relay.Configuration;
using TestSupport;

namespace Collector.Tests.Relay;

public sealed class RelayDirectoryTests
{
    private static string Doc(string name, string address, string protocol = "tcp") =>
        $"kind: logforwarder\nversion: v2\nmetadata:\n  name: {name}\nspec:\n  address: \"{address}\"\n  protocol: {protocol}\n";

    [Fact]
    public void ReadsOneRelayPerFileAndIgnoresDotFiles()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("a.yaml"), Doc("a", "h1:514"));
        File.WriteAllText(
            dir.Combine("b.json"),
            """{"kind":"logforwarder","version":"v2","metadata":{"name":"b"},"spec":""" +
            """{"address":"h2:514","protocol":"udp"}}""");
        File.WriteAllText(dir.Combine(".a.yaml.swp"), "garbage");

        var set = new RelayDirectory(dir.Path).Scan();

        Assert.Equal(["a", "b"], set.Relays.Keys.Order());
        Assert.Empty(set.Invalid);
        Assert.Equal(dir.Combine("b.json"), set.Files["b"]);
    }

    [Theory]
    [InlineData("a.yaml~")]
    [InlineData("#a.yaml#")]
    [InlineData("a.yaml.swp")]
    [InlineData("a.yaml.bak")]
    [InlineData("a.yaml.orig")]
    [InlineData("a.yaml.tmp")]
    public void AnEditorsBackupIsNeitherARelayNorKeepsADeletedOneRunning(string backup)
    {
        using var dir = TempDirectory.Create();
        var relays = new RelayDirectory(dir.Path);
        File.WriteAllText(dir.Combine("a.yaml"), Doc("a", "h1:514"));
        File.WriteAllText(dir.Combine(backup), Doc("a", "h0:514"));
        var set = relays.Scan();
        Assert.Equal("h1", set.Relays["a"].Host);
        Assert.Empty(set.Invalid);

        File.Delete(dir.Combine("a.yaml"));

        Assert.Empty(relays.Scan().Relays);
    }

    [Fact]
    public void AnInvalidFileIsReportedAndKeepsItsLastGoodRelay()
    {
        using var dir = TempDirectory.Create();
        var relays = new RelayDirectory(dir.Path);
        File.WriteAllText(dir.Combine("a.yaml"), Doc("a", "h1:514"));
        File.WriteAllText(
            dir.Combine("new.yaml"),
            "kind: logforwarder\nversion: v2\nmetadata: {name: new}\nspec: {address: 'h:514', protocol: sctp}");
        Assert.Equal("h1", relays.Scan().Relays["a"].Host);

        File.WriteAllText(dir.Combine("a.yaml"), Doc("a", "h1:514", "carrier-pigeon"));
        var set = relays.Scan();

        Assert.Equal("h1", set.Relays["a"].Host);
        Assert.False(set.Relays.ContainsKey("new"));
        Assert.Equal(["a.yaml", "new.yaml"], set.Invalid.Select(i => i.File).Order());
        Assert.Contains(set.Invalid.Single(i => i.File == "a.yaml").Errors, e => e.Contains("carrier-pigeon", StringComparison.Ordinal));

        File.Delete(dir.Combine("a.yaml"));
        Assert.False(relays.Scan().Relays.ContainsKey("a"));
    }

    [Fact]
    public void TwoFilesWithOneNameKeepTheFirstAndReportTheSecond()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("1.yaml"), Doc("same", "h1:514"));
        File.WriteAllText(dir.Combine("2.yaml"), Doc("same", "h2:514"));

        var set = new RelayDirectory(dir.Path).Scan();

        Assert.Equal("h1", set.Relays["same"].Host);
        Assert.Contains("already used by 1.yaml", Assert.Single(set.Invalid).Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void FollowsAConfigMapThroughItsAtomicSwap()
    {
        using var dir = TempDirectory.Create();
        var volume = new ConfigMapVolume(dir.Combine("relays"));
        volume.Update(new Dictionary<string, string> { ["a"] = Doc("a", "h1:514"), ["b"] = Doc("b", "h2:514") });
        var relays = new RelayDirectory(volume.Path);
        Assert.Equal(["a", "b"], relays.Scan().Relays.Keys.Order());

        volume.Update(new Dictionary<string, string> { ["a"] = Doc("a", "h9:514"), ["c"] = Doc("c", "h3:514") });
        var set = relays.Scan();

        Assert.Equal(["a", "c"], set.Relays.Keys.Order());
        Assert.Equal("h9", set.Relays["a"].Host);
        Assert.True(relays.IsConfigMap);
    }

    [Fact]
    public void AConfigMapIsNeverWrittenBehindKubeletsBack()
    {
        using var dir = TempDirectory.Create();
        var volume = new ConfigMapVolume(dir.Combine("relays"));
        volume.Update(new Dictionary<string, string> { ["a"] = Doc("a", "h1:514") });
        var relays = new RelayDirectory(volume.Path);

        var error = Assert.Throws<RelayDirectoryReadOnlyException>(() => relays.Write("b", Doc("b", "h:514"), Path.Combine(volume.Path, "b")));
        Assert.Contains("ConfigMap", error.Message, StringComparison.Ordinal);
        Assert.Throws<RelayDirectoryReadOnlyException>(() => relays.Delete(Path.Combine(volume.Path, "a")));
        Assert.True(File.Exists(Path.Combine(volume.Path, "a")));
    }

    [Fact]
    public void WritesAtomicallyIntoTheFileThatHoldsTheRelay()
    {
        using var dir = TempDirectory.Create();
        var relays = new RelayDirectory(dir.Path);
        File.WriteAllText(dir.Combine("custom-name.json"), Doc("a", "h1:514"));

        string written = relays.Write("a", Doc("a", "h2:514"), dir.Combine("custom-name.json"));
        string created = relays.Write("b", Doc("b", "h3:514"), relays.NewFile("b", new HashSet<string>()));

        Assert.Equal(dir.Combine("custom-name.json"), written);
        Assert.Equal(dir.Combine("b.yaml"), created);
        Assert.Equal(["custom-name.json", "b.yaml"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderDescending());
        Assert.Equal("h2", relays.Scan().Relays["a"].Host);
    }

    [Fact]
    public void ANewRelaysFileIsNeverOneThatHoldsAnotherRelay()
    {
        using var dir = TempDirectory.Create();
        var relays = new RelayDirectory(dir.Path);
        File.WriteAllText(dir.Combine("a.yaml"), Doc("other", "h1:514"));
        File.WriteAllText(dir.Combine("a-2.yaml"), "being fixed: [");

        Assert.Equal(dir.Combine("a.yaml"), relays.NewFile("a", new HashSet<string>()));
        Assert.Equal(dir.Combine("a-3.yaml"), relays.NewFile("a", new HashSet<string> { dir.Combine("a.yaml") }));
    }

    [Fact]
    public void AMissingDirectoryHasNoRelays()
    {
        using var dir = TempDirectory.Create();

        var set = new RelayDirectory(dir.Combine("absent")).Scan();

        Assert.Empty(set.Relays);
        Assert.Empty(set.Invalid);
    }

    [Fact]
    public void AnOversizedFileIsRejectedUnread()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("big.yaml"), new string('#', 2 << 20));

        var set = new RelayDirectory(dir.Path).Scan();

        Assert.Contains("larger than", Assert.Single(set.Invalid).Errors[0], StringComparison.Ordinal);
    }
}
