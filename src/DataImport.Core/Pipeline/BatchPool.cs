namespace DataImport.Pipeline;

/// <summary>
/// The two batches of rows of the last run that ended, kept for the next run of the same batch size: their row objects
/// have reached the oldest generation, so reusing them spares every run promoting a fresh set (and the full
/// collections that followed). Runs at the same time simply allocate their own.
/// </summary>
internal sealed class BatchPool
{
    // Two: a run fills one batch while it writes the other.
    private PendingRow[]? _spare;
    private PendingRow[]? _second;

    public PendingRow[] Rent(int size) => Take(ref _spare, size) ?? Take(ref _second, size) ?? new PendingRow[size];

    /// <summary>Keeps a finished run's batch for the next run, cleared first so it holds none of the run's records.</summary>
    public void Return(PendingRow[] batch)
    {
        foreach (var row in batch)
        {
            row?.Reset(0, null, 0);
        }

        if (Interlocked.CompareExchange(ref _spare, batch, null) is not null)
        {
            Volatile.Write(ref _second, batch);
        }
    }

    private static PendingRow[]? Take(ref PendingRow[]? slot, int size) =>
        Interlocked.Exchange(ref slot, null) is { } spare && spare.Length == size ? spare : null;
}
