using System.Reflection;
using Collector.Configuration;
using Microsoft.Extensions.Configuration;

namespace Collector.Tests.Configuration;

/// <summary>
/// The declaration is the one description of the settings: the options type and --help agree with it.
/// </summary>
public sealed class CollectorSettingsTests
{
    [Fact]
    public void EveryOptionIsDeclaredOnceAndEveryDeclarationIsAnOption()
    {
        var properties = typeof(CollectorOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name)
            .Order(StringComparer.Ordinal);
        Assert.Equal(properties, CollectorSettings.All.Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EachDeclaredDefaultIsTheDefaultOfTheOptions()
    {
        var defaults = new CollectorOptions();
        foreach (var s in CollectorSettings.All.Where(s => !s.DefaultIsDescribed))
        {
            // Read the declared default as if an operator had written it: the options must come out unchanged.
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [$"Collector:{s.Key}"] = s.Default ?? "" })
                .Build();
            var reader = new Shared.Configuration.SettingsReader("Collector", key => configuration.GetSection("Collector")[key]);
            var options = s.Read(reader, defaults);
            Assert.Empty(reader.Errors);
            Assert.True(
                Describe(s.Current(defaults)) == Describe(s.Current(options)),
                $"{s.Key}: declared default '{s.Default}' reads as '{s.Current(options)}', the options default is " +
                $"'{s.Current(defaults)}'");
        }
    }

    [Fact]
    public void HelpShowsEachDefaultAsDeclared()
    {
        string help = CommandLine.HelpText();
        Assert.All(
            CollectorSettings.All.Where(s => s.Switch is not null),
            s => Assert.Contains($"(default {s.Default ?? "none"})", help, StringComparison.Ordinal));
        Assert.Contains("rotated files to keep (default 9)", help, StringComparison.Ordinal);
        Assert.DoesNotContain("ApiToken ", help, StringComparison.Ordinal);
        Assert.DoesNotContain("AdminToken ", help, StringComparison.Ordinal);
    }

    /// <summary>A value as text; a list as its items, so two empty lists are the same default.</summary>
    private static string? Describe(object? value) =>
        value is IEnumerable<string> items ? string.Join(", ", items) : value?.ToString();
}
