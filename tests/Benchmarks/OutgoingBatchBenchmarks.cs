using BenchmarkDotNet.Attributes;
using Forwarder.Shipping;

namespace Benchmarks;

/// <summary>
/// Filling one shipping batch with typical messages (~250 bytes) up to <see cref="ShippingQueue.BatchBytes"/>, as the
/// tailing loop does, per operation: <see cref="FillReused"/> with a batch that kept its buffer (the steady state of a
/// burst: nothing allocated per message), <see cref="FillAfterRelease"/> with one whose buffers were let go while the
/// Forwarder was idle (what the first batches after an idle spell pay to grow again).
/// </summary>
[MemoryDiagnoser]
public class OutgoingBatchBenchmarks
{
    private readonly OutgoingBatch _batch = new(ShippingQueue.BatchBytes + (ShippingQueue.BatchBytes / 4));

    [GlobalSetup]
    public void Setup() => Fill();

    [Benchmark]
    public int FillReused()
    {
        _batch.Reset();
        return Fill();
    }

    [Benchmark]
    public int FillAfterRelease()
    {
        _batch.Reset();
        _batch.ReleaseBuffers();
        return Fill();
    }

    private int Fill()
    {
        byte[] frame = TypicalMessage.Frame;
        while (_batch.Bytes < ShippingQueue.BatchBytes)
        {
            frame.CopyTo(_batch.GetSpan(frame.Length));
            _batch.Advance(frame.Length);
            _batch.EndMessage();
        }

        return _batch.Count;
    }
}
