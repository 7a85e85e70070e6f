using BenchmarkDotNet.Running;

if (args is ["cpu-ratio", "multiline" or "collector-line", ..])
{
    Benchmarks.CpuTimeRatio.Run(args);
    return;
}

if (args is ["kubelet-memory", _, _, ..])
{
    await Benchmarks.KubeletPodListMemory.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Benchmarks.TypicalMessage).Assembly).Run(args);
