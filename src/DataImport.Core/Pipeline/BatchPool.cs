namespace DataImport.Pipeline;

/// <summary>
/// The batch of rows of the last run that ended, kept for the next run of the same batch size: its row objects
/// have reached the oldest generation, so reusing them spares every run promoting a fresh set (and the full
/// collections that followed). Runs at the same time simply allocate their own.
/// </summary>
internal sealed class BatchPool
{
    private PendingRow[]? _spare;

    public PendingRow[] Rent(int size) =>
        Interlocked.Exchange(ref _spare, null) is { } spare && spare.Length == size ? spare : new PendingRow[size];

    /// <summary>Keeps a finished run's batch for the next run, cleared first so it holds none of the run's records.</summary>
    public void Return(PendingRow[] batch)
    {
        foreach (var row in batch)
        {
            row?.Reset(0, null, 0);
        }

        Volatile.Write(ref _spare, batch);
    }
}
