// Each test runs real daemons that take what CPU the machine has (2 shared cores): one at a time keeps their timings
// and memory readings meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
