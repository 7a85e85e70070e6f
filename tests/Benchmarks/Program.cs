using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Benchmarks.TypicalMessage).Assembly).Run(args);
