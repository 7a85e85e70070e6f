using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestSupport;

/// <summary>List (with chunking) and watch, as the API Concepts page of the Kubernetes docs describes them.</summary>
public sealed partial class FakeKubeApiServer
{
    /// <summary>
    /// <c>{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"N","continue":"…"},"items":[…]}</c>;
    /// items carry no kind/apiVersion, as in the real server's lists. The continue token names the list's version and
    /// the next index; once the history was forgotten past it, it is Expired (410).
    /// </summary>
    private async Task ListAsync(HttpContext context, string? node, IQueryCollection query)
    {
        int limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out int l) && l > 0 ? l : int.MaxValue;
        long listVersion;
        int start = 0;
        List<JsonObject> pods;
        lock (_lock)
        {
            listVersion = _version;
            if (query["continue"] is [{ Length: > 0 } token])
            {
                string[] parts = Encoding.ASCII.GetString(Convert.FromBase64String(token)).Split(':');
                listVersion = long.Parse(parts[0], CultureInfo.InvariantCulture);
                start = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }

            if (listVersion < _oldestWatchable || (start > 0 && ExpireNextContinue))
            {
                ExpireNextContinue = false;
                pods = [];
                start = -1;
            }
            else
            {
                // A consistent page needs the state at listVersion: the current state with changes after it undone.
                pods = StateAt(listVersion).Where(p => OnNode(p, node)).OrderBy(p => (string?)p["metadata"]!["uid"], StringComparer.Ordinal).ToList();
            }
        }

        if (start < 0)
        {
            await StatusAsync(
                context,
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the "
                    + "continue parameter.");
            return;
        }

        var page = pods.Skip(start).Take(limit).Select(p =>
        {
            var item = (JsonObject)p.DeepClone();
            item.Remove("kind");
            item.Remove("apiVersion");
            return (JsonNode)item;
        }).ToArray();
        var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
        if (start + page.Length < pods.Count)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{listVersion}:{start + page.Length}"));
            metadata["remainingItemCount"] = pods.Count - start - page.Length;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["items"] = new JsonArray(page),
        }.ToJsonString(Json));
    }

    // Called under _lock.
    private List<JsonObject> StateAt(long version)
    {
        var state = _pods.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        for (int i = _history.Count - 1; i >= 0 && _history[i].Version > version; i--)
        {
            var (_, type, pod) = _history[i];
            string uid = (string)pod["metadata"]!["uid"]!;
            var before = _history.Take(i).LastOrDefault(h => (string)h.Pod["metadata"]!["uid"]! == uid);
            if (type == "ADDED")
            {
                state.Remove(uid);
            }
            else if (before.Pod is not null)
            {
                state[uid] = before.Pod;
            }
        }

        return [.. state.Values];
    }

    /// <summary>
    /// A chunked 200 response, one event per line: first what happened after the requested version (from history),
    /// then live changes, until <c>timeoutSeconds</c>, the client leaving, or <see cref="DropWatches"/>. A version
    /// older
    /// than the history gives one ERROR event with a 410 Status, as the real server answers a watch.
    /// </summary>
    private async Task WatchAsync(HttpContext context, string? node, IQueryCollection query)
    {
        long from = long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out long v) ? v : 0;
        bool bookmarks = query["allowWatchBookmarks"] is ["true" or "1"];
        int timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out int t) && t > 0 ? t : 1800;
        context.Response.ContentType = "application/json";
        var watcher = new Watcher(context, node, bookmarks);
        lock (_lock)
        {
            if (from < _oldestWatchable)
            {
                watcher.Lines.Writer.TryWrite(new JsonObject
                {
                    ["type"] = "ERROR",
                    ["object"] = JsonNode.Parse(StatusJson(410, "Expired", $"too old resource version: {from} ({_oldestWatchable})")),
                }.ToJsonString(Json));
                watcher.Lines.Writer.TryComplete();
            }
            else
            {
                foreach (var (version, type, pod) in _history.Where(h => h.Version > from && OnNode(h.Pod, node)))
                {
                    watcher.Lines.Writer.TryWrite(Event(type, pod));
                }

                _watchers.Add(watcher);
            }
        }

        await context.Response.StartAsync();
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ends.CancelAfter(TimeSpan.FromSeconds(timeout));
        try
        {
            await foreach (string line in watcher.Lines.Reader.ReadAllAsync(ends.Token))
            {
                await context.Response.WriteAsync(line + "\n", ends.Token);
                await context.Response.Body.FlushAsync(ends.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left, the timeout passed, or the watch was dropped.
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }
}
