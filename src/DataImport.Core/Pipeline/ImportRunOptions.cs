namespace DataImport.Pipeline;

/// <summary>
/// What a caller of the engine plugs into one run: the job's identity, where to resume, and what to call after each
/// committed batch. The engine's public methods use the defaults; the job layer sets all of them.
/// </summary>
internal sealed class ImportRunOptions
{
    /// <summary>Gets the job id; a new one is made when <see langword="null"/>.</summary>
    public string? JobId { get; init; }

    /// <summary>Gets when the job was queued; now when <see langword="null"/>.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>Gets when the job first started, for a resumed job; now when <see langword="null"/>.</summary>
    public DateTimeOffset? StartedDate { get; init; }

    /// <summary>Gets the checkpoint to resume from: its counters and row errors are the run's starting point, and rows up to its row are not read again.</summary>
    public ImportJobCheckpoint? Resume { get; init; }

    /// <summary>Gets the total a resumed job already showed, used when its checkpoint has none.</summary>
    public int? KnownTotal { get; init; }

    /// <summary>Gets the job's attempt (its claim count), stamped on its checkpoints; 0 outside the job layer.</summary>
    public int Attempt { get; init; }

    /// <summary>Gets the receiver of throttled snapshots and the exact final one.</summary>
    public IProgress<ImportJobDto>? Progress { get; init; }

    /// <summary>Gets the callback after every committed batch with the position reached; the job layer persists it.</summary>
    public Func<ImportJobCheckpoint, ImportJobDto, CancellationToken, ValueTask>? OnCheckpoint { get; init; }

    /// <summary>Gets how a job's checkpoint is saved inside a sink's transaction (<see cref="ImportJobCommit"/>); the job layer sets it.</summary>
    public Func<System.Data.Common.DbTransaction, ImportJobCheckpoint, CancellationToken, ValueTask>? SaveCheckpointIn { get; init; }

    /// <summary>
    /// Gets whether an error of the database being out of reach (<see cref="Sinks.TransientErrors"/>) is thrown to the
    /// caller instead of ending the run failed: the job layer sets it, ends the attempt, and resumes the job from its last
    /// checkpoint later.
    /// </summary>
    public bool ThrowsTransientErrors { get; init; }

    /// <summary>Gets the callback whenever the job's state changes (start, each batch, end).</summary>
    public Action<ImportJobState>? OnState { get; init; }
}
