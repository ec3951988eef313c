namespace DataImport.PostgreSql.Tests.Files;

/// <summary>The highest managed heap (allocated bytes, garbage included) seen by a timer every 10 ms until stopped.</summary>
internal sealed class HeapPeak : IDisposable
{
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private long _peak;

    public HeapPeak()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
    }

    public long Stop()
    {
        _timer.Dispose();
        Sample();
        lock (_lock)
        {
            return _peak;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        lock (_lock)
        {
            _peak = Math.Max(_peak, heap);
        }
    }
}
