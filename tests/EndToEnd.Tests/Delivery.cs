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

    /// <summary>The (file, number) key of each frame in arrival order; frames that are not sequenced lines are a test failure.</summary>
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
}
