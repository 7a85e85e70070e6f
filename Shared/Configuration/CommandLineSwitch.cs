namespace Shared.Configuration;

/// <summary>
/// One command-line switch and the configuration key it sets, so a switch, an environment variable and
/// <c>appsettings.json</c> set the same thing. A repeatable switch fills a list: <c>Key:0</c>, <c>Key:1</c>, …
/// </summary>
public sealed record CommandLineSwitch(string Name, string Key, string Value, string Help, bool Repeatable = false);
