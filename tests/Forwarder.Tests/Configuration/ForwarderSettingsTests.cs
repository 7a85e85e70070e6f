using System.Reflection;
using Forwarder.Configuration;
using Microsoft.Extensions.Configuration;

namespace Forwarder.Tests.Configuration;

/// <summary>
/// The declaration is the one description of the settings: the options type and --help agree with it.
/// </summary>
public sealed class ForwarderSettingsTests
{
    [Fact]
    public void EveryOptionIsDeclaredOnceAndEveryDeclarationIsAnOption()
    {
        var properties = typeof(ForwarderOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name)
            .Order(StringComparer.Ordinal);
        Assert.Equal(properties, ForwarderSettings.All.Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EachDeclaredDefaultIsTheDefaultOfTheOptions()
    {
        var defaults = new ForwarderOptions();
        foreach (var s in ForwarderSettings.All.Where(s => !s.DefaultIsDescribed))
        {
            // A list's default is written "a, b": as an operator would give it, one item per index.
            var items = s.Repeatable
                ? (s.Default ?? "").Split(", ").Select((v, i) => ($"Forwarder:{s.Key}:{i}", (string?)v))
                : [($"Forwarder:{s.Key}", (string?)(s.Default ?? ""))];
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(items.ToDictionary(i => i.Item1, i => i.Item2)).Build();
            var options = ForwarderOptionsReader.Read(configuration, out var errors);
            Assert.Empty(errors);
            Assert.Equal(Describe(s.Current(defaults)), Describe(s.Current(options)));
        }
    }

    [Fact]
    public void HelpShowsEachDefaultAsDeclared()
    {
        string help = CommandLine.HelpText();
        Assert.All(ForwarderSettings.All, s => Assert.Contains($"default {s.Default ?? "none"})", help, StringComparison.Ordinal));
        Assert.Contains("--to <URI>", help, StringComparison.Ordinal);
        Assert.Contains("(repeatable; default tcp://127.0.0.1:5514)", help, StringComparison.Ordinal);
    }

    private static string Describe(object? value) =>
        value is System.Collections.IEnumerable list and not string ? string.Join(", ", list.Cast<object>()) : $"{value}";
}
