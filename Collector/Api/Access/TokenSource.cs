using System.Security.Cryptography;
using System.Text;

namespace Collector.Api.Access;

/// <summary>
/// One bearer token, given directly (the environment) or in a file (a mounted Kubernetes Secret). A file is read again
/// at most once per <see cref="RecheckInterval"/>, when a request needs the token: a rotated Secret (the kubelet
/// swaps a symlink) takes effect within a second, without a restart. A file that has become unreadable or empty keeps
/// the previous token in force (logged once), so a botched rotation does not open or lock the API.
/// </summary>
internal sealed class TokenSource
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly string? _file;
    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile byte[] _token;
    private long _nextCheck;
    private bool _failureLogged;

    // `token`: the value the options reader already read and checked at start (from the file when `file` is set).
    public TokenSource(string name, string token, string? file, TimeProvider time, ILogger logger)
    {
        _name = name;
        _token = Encoding.UTF8.GetBytes(token);
        _file = file;
        _time = time;
        _logger = logger;
        _nextCheck = time.GetTimestamp() + ToTicks(RecheckInterval);
    }

    /// <summary>Whether <paramref name="presented"/> is this token (compared in constant time).</summary>
    public bool Matches(ReadOnlySpan<byte> presented)
    {
        Refresh();
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private void Refresh()
    {
        long now = _time.GetTimestamp();
        if (_file is null || now < Volatile.Read(ref _nextCheck))
        {
            return;
        }

        // One request reads the file; the others go on with the token they have.
        if (!_gate.TryEnter())
        {
            return;
        }

        try
        {
            if (now < _nextCheck)
            {
                return;
            }

            Volatile.Write(ref _nextCheck, now + ToTicks(RecheckInterval));
            string text = File.ReadAllText(_file).Trim();
            if (text.Length == 0)
            {
                throw new IOException("the file is empty");
            }

            byte[] token = Encoding.UTF8.GetBytes(text);
            _failureLogged = false;
            if (!CryptographicOperations.FixedTimeEquals(token, _token))
            {
                _token = token;
                AccessLog.TokenReloaded(_logger, _name, _file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failureLogged)
            {
                _failureLogged = true;
                AccessLog.TokenReloadFailed(_logger, _name, _file, e.Message);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
