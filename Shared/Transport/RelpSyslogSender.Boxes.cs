namespace Shared.Transport;

/// <summary>Each message's index in its delivery rides along as the session's state object; boxed once per index, not per send.</summary>
public sealed partial class RelpSyslogSender
{
    private const int MaxCachedBox = 1 << 20;

    private static readonly Lock BoxesLock = new();
    private static object[] _boxes = [];

    private static object Box(int index)
    {
        var boxes = Volatile.Read(ref _boxes);
        if (index < boxes.Length)
        {
            return boxes[index];
        }

        if (index >= MaxCachedBox)
        {
            return index;
        }

        lock (BoxesLock)
        {
            boxes = _boxes;
            if (index >= boxes.Length)
            {
                var grown = new object[Math.Min(MaxCachedBox, Math.Max(index + 1, Math.Max(1024, boxes.Length * 2)))];
                boxes.CopyTo(grown, 0);
                for (int i = boxes.Length; i < grown.Length; i++)
                {
                    grown[i] = i;
                }

                Volatile.Write(ref _boxes, grown);
                boxes = grown;
            }

            return boxes[index];
        }
    }
}
