using TestSupport;

namespace EndToEnd.Tests;

/// <summary>What a target received of a <see cref="SequencedWriter"/>'s lines: lost numbers and duplicates.</summary>
public sealed class Delivery
{
    private Delivery(int lost, int duplicates, string firstLost)
    {
        Lost = lost;
        Duplicates = duplicates;
        FirstLost = firstLost;
    }

    public int Lost { get; }

    public int Duplicates { get; }

    public string FirstLost { get; }

    /// <summary>
    /// The (file, number) key of each frame in arrival order; frames that are not sequenced lines are a test failure.
    /// </summary>
    public static List<(int File, long N)> Keys(IEnumerable<SyslogTestListener.ReceivedFrame> frames) =>
        [.. frames.Select(f =>
        {
            var message = ReceivedMessage.Parse(f.Payload);
            return SequencedWriter.Parse(message.Text) ?? throw new InvalidDataException($"not a sequenced line: {message.Text}");
        })];

    public static Delivery Check(IReadOnlyList<long> written, IEnumerable<(int File, long N)> received)
    {
        var seen = new HashSet<(int, long)>();
        int duplicates = 0;
        foreach (var key in received)
        {
            if (!seen.Add(key))
            {
                duplicates++;
            }
        }

        int lost = 0;
        string firstLost = "none";
        for (int f = 0; f < written.Count; f++)
        {
            for (long n = 0; n < written[f]; n++)
            {
                if (!seen.Contains((f, n)))
                {
                    if (lost++ == 0)
                    {
                        firstLost = $"file {f} line {n}";
                    }
                }
            }
        }

        return new Delivery(lost, duplicates, firstLost);
    }

    /// <summary>
    /// Each file's lines arrived exactly once and in the order written: per file, the received numbers are
    /// 0 … Written[f]-1 and nothing else (no duplicate, no number never written, no file never written).
    /// </summary>
    public static void AssertExactlyOnceInOrder(IReadOnlyList<long> written, IReadOnlyList<(int File, long N)> received)
    {
        var strangers = received.Where(k => k.File < 0 || k.File >= written.Count).ToList();
        Xunit.Assert.True(strangers.Count == 0, $"{strangers.Count} lines of files never written, first {strangers.FirstOrDefault()}");
        for (int f = 0; f < written.Count; f++)
        {
            var expected = Enumerable.Range(0, checked((int)written[f])).Select(n => (long)n).ToList();
            var actual = received.Where(k => k.File == f).Select(k => k.N).ToList();
            Xunit.Assert.True(expected.SequenceEqual(actual), $"file {f}: {Describe(expected, actual)}");
        }
    }

    private static string Describe(List<long> expected, List<long> actual)
    {
        int i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i])
        {
            i++;
        }

        string got = i < actual.Count ? actual[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing";
        string wanted = i < expected.Count ? expected[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing";
        return $"{expected.Count} lines written, {actual.Count} received; at position {i} expected {wanted}, got {got}";
    }
}
