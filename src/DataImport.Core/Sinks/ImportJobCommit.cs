using System.Data.Common;

namespace DataImport;

/// <summary>
/// The job's checkpoint that must be durable before, or together with, one batch write of a background job: the last
/// committed position plus how the rows of this write were decided. A resumed job replays those decisions, so no row is
/// written or counted twice.
/// </summary>
/// <remarks>
/// A sink whose database also holds the job store saves it in its own write transaction with
/// <see cref="SaveAsync(DbTransaction, CancellationToken)"/>: the rows and the checkpoint then commit together, and a
/// worker that lost the job to another (a paused or partitioned host) cannot commit at all — the save throws and the
/// sink's transaction rolls back. Any other sink leaves it to <see cref="ImportSink{TRecord}"/>'s default, which saves it
/// through the job store (<see cref="SaveAsync(CancellationToken)"/>) before writing.
/// </remarks>
public sealed class ImportJobCommit
{
    private readonly Func<CancellationToken, ValueTask> _save;
    private readonly Func<DbTransaction, ImportJobCheckpoint, CancellationToken, ValueTask> _saveIn;

    internal ImportJobCommit(string jobId, ImportJobCheckpoint checkpoint, Func<CancellationToken, ValueTask> save, Func<DbTransaction, ImportJobCheckpoint, CancellationToken, ValueTask> saveIn)
    {
        JobId = jobId;
        Checkpoint = checkpoint;
        _save = save;
        _saveIn = saveIn;
    }

    /// <summary>Gets the id of the job being written.</summary>
    public string JobId { get; }

    /// <summary>Gets the checkpoint to save: the last committed position and this write's decisions.</summary>
    public ImportJobCheckpoint Checkpoint { get; }

    /// <summary>Saves the checkpoint through the job store on its own; call it before writing the batch.</summary>
    /// <param name="cancellationToken">A token to cancel the save.</param>
    /// <returns>A task that completes when the checkpoint is saved.</returns>
    /// <exception cref="OperationCanceledException">The job store could not save it, or the worker no longer holds the job: the batch must not be written.</exception>
    public ValueTask SaveAsync(CancellationToken cancellationToken) => _save(cancellationToken);

    /// <summary>
    /// Saves the checkpoint inside the sink's transaction, on the job store's database, so it commits or rolls back with
    /// the batch. Call it after writing the batch's rows and before committing. It is saved marked as written
    /// (<see cref="ImportJobCheckpoint.PendingWritten"/>): a run resumed from it does not write those rows again.
    /// </summary>
    /// <param name="transaction">The sink's open transaction, on the database that holds the job store.</param>
    /// <param name="cancellationToken">A token to cancel the save.</param>
    /// <returns>A task that completes when the checkpoint is written in the transaction.</returns>
    /// <exception cref="OperationCanceledException">The worker no longer holds the job: roll the transaction back (let the exception through).</exception>
    /// <exception cref="NotSupportedException">The job store cannot write in another transaction (<see cref="ImportJobStore.SaveCheckpointAsync(DbTransaction, string, string, ImportJobCheckpoint, CancellationToken)"/>).</exception>
    public ValueTask SaveAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return _saveIn(transaction, Checkpoint.AsWritten(), cancellationToken);
    }
}
