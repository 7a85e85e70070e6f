using Chaos;
using TestSupport;

// The chaos run of issue 15: see docs/chaos.md. Exit code 0 when every line was stored exactly once and in order
// with no gap, 1 when not, 2 for bad arguments.
ChaosSettings settings;
try
{
    settings = ChaosSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"chaos: {e.Message}");
    Console.Error.WriteLine(ChaosSettings.Usage);
    return 2;
}

var directory = TempDirectory.Create("chaos");
Console.WriteLine($"chaos: seed {settings.Seed} (repeat with --seed {settings.Seed}), working in {directory.Path}");
try
{
    var result = await new ChaosRun(settings, Console.WriteLine).RunAsync(directory);
    Console.Write(result.Summary());
    if (!result.Passed)
    {
        Console.WriteLine($"what the programs said: collector.log and forwarder.log in {directory.Path} (kept with --keep)");
    }

    return result.Passed ? 0 : 1;
}
finally
{
    if (settings.Keep)
    {
        Console.WriteLine($"kept {directory.Path}");
    }
    else
    {
        directory.Dispose();
    }
}
