using System.Text;
using Collector.Storage;

namespace TestSupport;

/// <summary>
/// MSG of a line of the messages file in the <c>file</c> format, either layout (message-first lines with their TAB,
/// and the older <c>… SD MSG</c> one), as stored: control characters still escaped.
/// </summary>
public static class StoredMessage
{
    public static string Of(string line)
    {
        var parsed = StoredLine.Parse(Encoding.UTF8.GetBytes(line));
        return parsed.TimeNs == 0 ? line : Encoding.UTF8.GetString(parsed.Message);
    }
}
