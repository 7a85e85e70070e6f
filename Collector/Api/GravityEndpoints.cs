using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Collector.Configuration;
using Collector.Search;
using Collector.Storage;

namespace Collector.Api;

/// <summary>
/// Gravity's wstail API, kept for its clients: <c>GET /v1/log?query=…&amp;limit=…</c> (a JSON array of
/// <c>{"type":"data","payload":LINE}</c>, the newest <c>limit</c> matches, oldest first) and <c>GET /v1/download</c>
/// (a tar.gz of the messages files, streamed).
/// </summary>
public sealed class GravityEndpoints(SearchEngine engine, MessagesFiles messages, CollectorOptions options, TimeProvider time)
{
    public async Task LogAsync(HttpContext context)
    {
        var p = new ApiParameters(context, time);
        var query = p.Query(gravity: true);
        int limit = p.Limit("limit", 100);
        var result = await engine.SearchAsync(
            new SearchRequest(query, long.MinValue, long.MaxValue, limit, Backward: true) { Budget = options.QueryTimeout },
            context.RequestAborted).ConfigureAwait(false);

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            json.WriteStartArray();
            for (int i = result.Entries.Count - 1; i >= 0; i--)
            {
                json.WriteStartObject();
                json.WriteString("type", "data");
                json.WriteString("payload", result.Entries[i].Line);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Every messages file as it is on disk (the .gz ones still compressed), oldest first, in a gzip'd tar. Files are
    /// opened before the first byte is sent, so rotation meanwhile changes nothing; the current file is sent up to
    /// its size at that moment. Streamed through 64 KiB buffers, never held in memory.
    /// </summary>
    public async Task DownloadAsync(HttpContext context)
    {
        var files = OpenFiles();
        try
        {
            var response = context.Response;
            response.ContentType = "application/gzip";
            response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(options.File)}.tar.gz\"";
            var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
                await using (tar.ConfigureAwait(false))
                {
                    foreach (var (name, stream, modified) in Enumerable.Reverse(files))
                    {
                        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                        {
                            DataStream = stream,
                            ModificationTime = modified,
                            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                        };
                        await tar.WriteEntryAsync(entry, context.RequestAborted).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, stream, _) in files)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The files, newest first, each as a stream limited to its length now.</summary>
    private List<(string Name, Stream Stream, DateTimeOffset Modified)> OpenFiles()
    {
        var files = new List<(string, Stream, DateTimeOffset)>();
        foreach (var (name, _) in messages.NewestFirst())
        {
            try
            {
                var stream = new FileStream(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: false);
                files.Add((Path.GetFileName(name), new LengthLimitedStream(stream, stream.Length), File.GetLastWriteTimeUtc(name)));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
            }
        }

        return files;
    }
}
