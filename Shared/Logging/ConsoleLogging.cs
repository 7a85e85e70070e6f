using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Shared.Logging;

/// <summary>Our own log: Serilog to stdout, one JSON object per line in containers (<c>json</c>) or readable text.</summary>
public static class ConsoleLogging
{
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
}
