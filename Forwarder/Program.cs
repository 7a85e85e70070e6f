using Forwarder;
using Forwarder.Configuration;
using Shared.Transport;

InlineSocketCompletions.Enable();

// Composition lives in ForwarderApp; this file only turns its outcome into an exit code.
if (CommandLine.TryParse(args, out _, out bool help, out _) && help)
{
    Console.Out.Write(CommandLine.HelpText());
    return 0;
}

var app = ForwarderApp.Build(args, out var errors);
if (app is null)
{
    foreach (string error in errors)
    {
        Console.Error.WriteLine($"Forwarder: configuration error: {error}");
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
        Console.Error.WriteLine($"Forwarder: cannot start: {ex.Message}");
        return 1;
    }

    await app.WaitForShutdownAsync();
}

return 0;
