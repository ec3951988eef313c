namespace DataImport;

/// <summary>
/// Where a job stood after its last committed batch, as a job store keeps it: enough for another worker to resume
/// the job without writing a row twice.
/// </summary>
public sealed class ImportJobCheckpoint
{
    /// <summary>Gets the row number of the last row whose batch was committed; a resumed run skips rows up to it.</summary>
    public required int LastRow { get; init; }

    /// <summary>Gets the number of records created so far.</summary>
    /// <value>The default is 0.</value>
    public int Created { get; init; }

    /// <summary>Gets the number of records updated so far.</summary>
    /// <value>The default is 0.</value>
    public int Updated { get; init; }

    /// <summary>Gets the number of rows skipped so far.</summary>
    /// <value>The default is 0.</value>
    public int Skipped { get; init; }

    /// <summary>Gets the number of rows with errors so far.</summary>
    /// <value>The default is 0.</value>
    public int Errors { get; init; }

    /// <summary>Gets the data row count, when known.</summary>
    /// <value>The count, or <see langword="null"/> (the default) when it is not known yet.</value>
    public int? TotalItems { get; init; }

    /// <summary>Gets the length of the not-imported file after the batch; a resumed run cuts the file back to it.</summary>
    /// <value>The default is 0.</value>
    public long NotImportedBytes { get; init; }

    /// <summary>Gets the attempt that saved the checkpoint (the job's claim count then); claims since it made no progress.</summary>
    /// <value>The default is 0: not known (a checkpoint saved by an earlier version), so every claim counts.</value>
    public int Attempt { get; init; }

    /// <summary>Gets the first row errors so far.</summary>
    /// <value>The default is empty.</value>
    public IReadOnlyList<ImportRowError> RowErrors { get; init; } = [];

    /// <summary>
    /// Gets the decisions of the batch being written when this checkpoint was saved: saved before the sink writes a
    /// batch, so a run resumed after a stop at any point (before, during or after the write, during the flush or the next
    /// checkpoint) decides those rows exactly as the stopped run did, instead of deciding them again against a sink that
    /// may already hold them.
    /// </summary>
    /// <value>The default is empty: no batch was being written.</value>
    public IReadOnlyList<ImportRowDecision> PendingDecisions { get; init; } = [];

    /// <summary>
    /// Gets whether the rows of <see cref="PendingDecisions"/> are known to be written: the checkpoint was committed in
    /// the sink's own transaction with them (<see cref="ImportJobCommit.SaveAsync(System.Data.Common.DbTransaction, CancellationToken)"/>),
    /// so a resumed run counts them as decided without writing them again — exactly once even for an entity without a key.
    /// </summary>
    /// <value>The default is <see langword="false"/>: saved before the write, which may or may not have landed.</value>
    public bool PendingWritten { get; init; }

    /// <summary>This checkpoint, its pending decisions marked as written (saved in the sink's transaction with their rows).</summary>
    internal ImportJobCheckpoint AsWritten() => new()
    {
        LastRow = LastRow,
        Created = Created,
        Updated = Updated,
        Skipped = Skipped,
        Errors = Errors,
        TotalItems = TotalItems,
        NotImportedBytes = NotImportedBytes,
        Attempt = Attempt,
        RowErrors = RowErrors,
        PendingDecisions = PendingDecisions,
        PendingWritten = PendingDecisions.Count > 0,
    };
}

/// <summary>How one row of a batch was decided before the sink wrote the batch.</summary>
public sealed class ImportRowDecision
{
    /// <summary>Gets the row number.</summary>
    public required int Row { get; init; }

    /// <summary>Gets the outcome decided: <see cref="RowOutcome.Created"/>, <see cref="RowOutcome.Updated"/> or <see cref="RowOutcome.Skipped"/>.</summary>
    public required RowOutcome Outcome { get; init; }
}
