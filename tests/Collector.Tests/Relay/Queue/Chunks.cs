using System.Globalization;
using System.Text;
using Collector.Relay.Queue;
using TestSupport;

namespace Collector.Tests.Relay.Queue;

/// <summary>Chunks of numbered messages ("msg-00000042"), so order and loss can be checked by content.</summary>
internal static class Chunks
{
    public const int MessagesPerChunk = 10;

    private const int MessageLength = 12;

    /// <summary>Bytes one chunk takes in a spill segment: its header plus ten prefixed messages.</summary>
    public const int RecordLength = DiskSpill.HeaderLength + (MessagesPerChunk * (RelayChunk.PrefixLength + MessageLength));

    public static RelayChunk Numbered(int chunk)
    {
        var relayChunk = RelayChunk.Rent();
        for (int i = 0; i < MessagesPerChunk; i++)
        {
            Assert.True(relayChunk.TryAppend(Message((chunk * MessagesPerChunk) + i)));
        }

        return relayChunk;
    }

    public static byte[] Message(int number) => Encoding.ASCII.GetBytes($"msg-{number:D8}");

    /// <summary>Message numbers 0.. for chunks <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public static IEnumerable<int> MessagesOf(int from, int to) =>
        Enumerable.Range(from * MessagesPerChunk, (to - from + 1) * MessagesPerChunk);

    public static List<int> Numbers(RelayChunk chunk)
    {
        var slices = new List<ReadOnlyMemory<byte>>();
        chunk.CopyMessagesTo(slices);
        return [.. slices.Select(s => int.Parse(Encoding.ASCII.GetString(s.Span)["msg-".Length..], CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Takes <paramref name="chunks"/> chunks (each returned to the pool) and gives their message numbers.
    /// </summary>
    public static async Task<List<int>> TakeAsync(RelayQueue queue, int chunks)
    {
        var numbers = new List<int>();
        for (int i = 0; i < chunks; i++)
        {
            var chunk = await Wait.ForAsync(queue.TakeAsync(CancellationToken.None).AsTask(), $"chunk {i + 1} of {chunks}");
            Assert.NotNull(chunk);
            numbers.AddRange(Numbers(chunk));
            chunk.Return();
        }

        return numbers;
    }

    /// <summary>Completes the queue and takes everything left.</summary>
    public static async Task<List<int>> DrainAsync(RelayQueue queue)
    {
        queue.Complete();
        var numbers = new List<int>();
        while (await Wait.ForAsync(queue.TakeAsync(CancellationToken.None).AsTask(), "the next chunk or the end") is { } chunk)
        {
            numbers.AddRange(Numbers(chunk));
            chunk.Return();
        }

        return numbers;
    }

    public static string[] Segments(string directory) =>
        [.. Directory.GetFiles(directory, "*.seg").OrderBy(f => long.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture))];
}
