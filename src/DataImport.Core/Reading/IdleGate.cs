namespace DataImport.Reading;

/// <summary>
/// Open while the import leaves a core idle: while the CSV read-ahead thread waits for the import to catch up (and for
/// good once it is done), or, when rows are converted on every core, while the run waits for its sink (and for good once
/// the run has lasted a second, <see cref="RunCountGate"/>). Background work that passes through it, the progress row
/// count, then uses that core instead of taking one from the import.
/// </summary>
/// <remarks>
/// One flow opens and closes it: the read-ahead thread (the final <see cref="Open"/> may come from the importing thread
/// after that one ended), or the importing flow of a run that converts on several threads.
/// </remarks>
internal sealed class IdleGate
{
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => Volatile.Read(ref _open).TrySetResult();

    public void Close()
    {
        var current = Volatile.Read(ref _open);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => Volatile.Read(ref _open).Task.WaitAsync(cancellationToken);
}

/// <summary>A read-only stream that waits for an <see cref="IdleGate"/> before each read.</summary>
internal sealed class GatedReadStream(Stream inner, IdleGate gate) : ReadOnlyForwardStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("Read asynchronously.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
