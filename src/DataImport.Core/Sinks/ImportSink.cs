namespace DataImport;

/// <summary>
/// The host's persistence for one entity: finds existing records by key and writes batches of creates and updates.
/// </summary>
/// <typeparam name="TRecord">The record type: the entity's class, or <see cref="ImportRecord"/> for run-time entities.</typeparam>
/// <remarks>
/// <para>
/// <see cref="WriteAsync(IReadOnlyList{ImportWrite{TRecord}}, CancellationToken)"/> must be atomic: either every write of the batch lands or none does (use a
/// transaction). When it throws, the engine splits the batch and retries the halves to isolate the failing rows,
/// which become errors carrying the exception's message; the other rows land.
/// </para>
/// <para>
/// Keys are compared with <see cref="ImportKey"/> equality. The engine commits a batch before it looks up the
/// keys of the next, so a row whose key equals an earlier row's is found by <see cref="FindExistingAsync"/>.
/// New virtual members may be added in later versions with default implementations.
/// </para>
/// </remarks>
public abstract class ImportSink<TRecord>
    where TRecord : class
{
    /// <summary>Returns which of the given keys already have a record.</summary>
    /// <param name="keys">The distinct keys of a batch.</param>
    /// <param name="cancellationToken">A token to cancel the lookup.</param>
    /// <returns>The keys that exist.</returns>
    public abstract ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken);

    /// <summary>Writes a batch of creates and updates, in order, atomically.</summary>
    /// <param name="batch">The writes in file order; a key may appear more than once (a create then updates).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the batch is committed.</returns>
    public abstract ValueTask WriteAsync(IReadOnlyList<ImportWrite<TRecord>> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a batch of a background job together with the job's checkpoint. The default saves
    /// <paramref name="commit"/> through the job store, then calls <see cref="WriteAsync(IReadOnlyList{ImportWrite{TRecord}}, CancellationToken)"/>.
    /// A sink whose database holds the job store overrides it to save the checkpoint in its own transaction
    /// (<see cref="ImportJobCommit.SaveAsync(System.Data.Common.DbTransaction, CancellationToken)"/>): the batch and the
    /// checkpoint then commit together, and a worker that lost the job cannot commit.
    /// </summary>
    /// <param name="batch">The writes in file order.</param>
    /// <param name="commit">The job's checkpoint for this write.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the batch is committed.</returns>
    public virtual async ValueTask WriteAsync(IReadOnlyList<ImportWrite<TRecord>> batch, ImportJobCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        await commit.SaveAsync(cancellationToken).ConfigureAwait(false);

        // A save that found the lease lost (another host took the job over) cancels the run: it must not write.
        cancellationToken.ThrowIfCancellationRequested();
        await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called by the engine when a run starts, before it calls anything else of this sink for that run. The default
    /// does nothing. With <see cref="RunEndedAsync"/>, it tells a sink that more batches may follow a write, so it may
    /// prepare the next one (the PostgreSQL sink starts the next <c>COPY</c> while the server finishes the last);
    /// a host that calls the sink itself calls neither.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>A task that completes when the sink is ready.</returns>
    public virtual ValueTask RunStartingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Called by the engine once a run it started with <see cref="RunStartingAsync"/> has ended, however it ended
    /// (completed, failed, stopped or cancelled), after its last call of this sink. The default does nothing; a sink
    /// releases here what it prepared for a batch that did not come. What it throws is logged, never the run's outcome.
    /// </summary>
    /// <returns>A task that completes when the sink has released what it held for the run.</returns>
    public virtual ValueTask RunEndedAsync() => ValueTask.CompletedTask;
}

/// <summary>Whether a write creates a record or updates an existing one.</summary>
public enum ImportWriteKind
{
    /// <summary>A new record.</summary>
    Create,

    /// <summary>An update of the record with the same key; only the mapped properties change.</summary>
    Update,
}

/// <summary>One write of a batch.</summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public sealed class ImportWrite<TRecord>
    where TRecord : class
{
    /// <summary>Gets whether the write creates a record or updates an existing one.</summary>
    public required ImportWriteKind Kind { get; init; }

    /// <summary>Gets the record built from the row.</summary>
    public required TRecord Record { get; init; }

    /// <summary>Gets the record's key.</summary>
    /// <value>The key, or <see langword="null"/> (the default) when the entity has none.</value>
    public ImportKey? Key { get; init; }

    /// <summary>Gets the row number in the file, as a spreadsheet shows it.</summary>
    public required int Row { get; init; }

    /// <summary>Gets the properties the file provided; an update changes only these.</summary>
    public required IReadOnlyList<string> MappedProperties { get; init; }
}
