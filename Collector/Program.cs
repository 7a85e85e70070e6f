using System.Runtime.InteropServices;
using Collector;
using Collector.Commands;
using Collector.Configuration;
using Shared.Transport;

// Before the first socket: the runtime reads it once (Kestrel's transport and the relays; see the class).
InlineSocketCompletions.Enable();

// Composition lives in CollectorApp; this file only turns its outcome into an exit code.
if (LocalCommands.Handles(args))
{
    // `Collector query` and `Collector tail`: read the local files and exit; Ctrl-C and SIGTERM end a tail.
    using var stop = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    return await LocalCommands.RunAsync(args, Console.Out, Console.Error, !Console.IsOutputRedirected, stop.Token);
}

if (CommandLine.TryParse(args, out _, out bool help, out _) && help)
{
    Console.Out.Write(CommandLine.HelpText());
    return 0;
}

var app = CollectorApp.Build(args, out var errors);
if (app is null)
{
    foreach (string error in errors)
    {
        Console.Error.WriteLine($"Collector: configuration error: {error}");
    }

    return 1;
}

await using (app)
{
    try
    {
        await app.StartAsync();
    }
    catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
    {
        // A port in use or a file that cannot be created: the host logged it; say it plainly and exit 1.
        var options = app.Services.GetRequiredService<CollectorOptions>();
        Console.Error.WriteLine($"Collector: cannot start: {StartFailure.Describe(ex, options)}");
        return 1;
    }

    await app.WaitForShutdownAsync();
}

return 0;
