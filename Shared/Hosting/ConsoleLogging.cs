using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Shared.Hosting;

/// <summary>
/// A program's own log: Serilog to stdout, one JSON object per line in containers (<c>json</c>) or readable text,
/// behind <c>ILogger</c> through Serilog.Extensions.Hosting. Not part of Shared.dll: Shared stays a plain library (no
/// Serilog, no hosting), so this one file is compiled into the Forwarder and the Collector (linked from their project
/// files, as ASP.NET Core shares its <c>src/Shared</c> sources), each with its own internal copy of the type.
/// </summary>
internal static class ConsoleLogging
{
    public const string FormatRule = "text or json";
    public const string LevelRule = "Verbose, Debug, Information, Warning, Error or Fatal";

    public static void Add(IServiceCollection services, LogEventLevel level, string format) =>
        services.AddSerilog(Create(level, format), dispose: true);

    public static Serilog.Core.Logger Create(LogEventLevel level, string format)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        config = format == "json"
            ? config.WriteTo.Console(new JsonFormatter(renderMessage: true))
            : config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        return config.CreateLogger();
    }

    /// <summary><c>text</c> or <c>json</c>, in any case, lower-cased.</summary>
    public static (bool Ok, string Value) ParseFormat(string text) =>
        text.ToLowerInvariant() is "text" or "json" ? (true, text.ToLowerInvariant()) : (false, "");

    /// <summary>A Serilog level name in any case; numbers are refused (Enum.TryParse would take them).</summary>
    public static (bool Ok, LogEventLevel Value) ParseLevel(string text) =>
        Enum.TryParse(text, ignoreCase: true, out LogEventLevel level)
            && Enum.IsDefined(level)
            && !int.TryParse(text, out _)
            ? (true, level)
            : (false, default);
}
