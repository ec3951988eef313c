using DataImport.Diagnostics;
using DataImport.Pipeline;
using Microsoft.Extensions.Logging;

namespace DataImport.Progress;

/// <summary>
/// The progress stage: moves the job's state through its statuses, applies the row-count estimate, reports throttled
/// snapshots (and every state change to the job layer), and hands the job layer a checkpoint after each committed batch.
/// </summary>
internal sealed class ImportProgress
{
    private readonly ImportJobState _state;
    private readonly ImportRunOptions _run;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private long _lastReport = long.MinValue;
    private Task<int?>? _estimate;

    // Where the last committed batch left the job: the base a pending batch's decisions are saved on.
    // The attempt is the one that committed it, so a run that saves pending decisions but commits nothing does not look
    // like progress to the job layer's attempt count.
    private (int LastRow, long NotImportedBytes, int Attempt)? _committed;

    public ImportProgress(ImportJobState state, ImportRunOptions run, TimeProvider time, TimeSpan interval, ILogger logger)
    {
        _state = state;
        _run = run;
        _time = time;
        _interval = interval;
        _logger = logger;
        if (run.Resume is { } resume)
        {
            _committed = (resume.LastRow, resume.NotImportedBytes, resume.Attempt);
        }
    }

    /// <summary>Gets a value indicating whether the job layer saves checkpoints (and so the decisions of a batch before it is written).</summary>
    public bool SavesCheckpoints => _run.OnCheckpoint is not null;

    public ImportJobState State => _state;

    /// <summary>Marks the job in progress and reports it.</summary>
    public void Start(string entity, string? fileName)
    {
        lock (_state.Gate)
        {
            _state.Status = ImportJobStatus.InProgress;
            _state.StartedDate ??= _time.GetUtcNow();
            _state.UpdatedAt = _time.GetUtcNow();
        }

        Log.ImportStarted(_logger, _state.Id, entity, fileName);
        Report(force: true);
    }

    /// <summary>
    /// Follows a row-count estimate; it shows in totalItems once done. A resumed job keeps the total it had (the count
    /// covers the whole file, so it serves one saved without a total too).
    /// </summary>
    public void Estimate(Task<int?>? estimate)
    {
        _estimate = _run.Resume is not { TotalItems: not null } ? estimate : null;
        ApplyEstimate();
    }

    /// <summary>Records a batch's outcomes as of now (called under the state's lock by the outcome stage).</summary>
    public void Touch() => _state.UpdatedAt = _time.GetUtcNow();

    /// <summary>After a committed batch: applies the estimate, hands the job layer its checkpoint, and reports.</summary>
    public async Task CommittedAsync(int lastRow, long notImportedBytes, CancellationToken cancellationToken)
    {
        // Before the checkpoint, so a job resumed from it has the total whenever the count had finished.
        ApplyEstimate();
        if (_run.OnCheckpoint is { } onCheckpoint)
        {
            await onCheckpoint(Checkpoint(lastRow, notImportedBytes, _run.Attempt, []), _state.Snapshot(), cancellationToken).ConfigureAwait(false);
            _committed = (lastRow, notImportedBytes, _run.Attempt);
        }

        Report(force: false);
    }

    /// <summary>
    /// Before the sink writes a batch: the last committed checkpoint again with the batch's decisions, for the sink to
    /// save before (or with) its write, so a run resumed after a stop decides those rows the same. A fresh run's first
    /// batch saves the start (row 0, the not-imported file's header) as its base. <see langword="null"/> outside a job.
    /// </summary>
    public async Task<ImportJobCommit?> PendingCommitAsync(IReadOnlyList<ImportRowDecision> decisions, Func<CancellationToken, Task<long>> flushNotImported, CancellationToken cancellationToken)
    {
        if (_run.OnCheckpoint is not { } onCheckpoint)
        {
            return null;
        }

        // The counters are still those of the last committed batch: this batch's outcomes are applied after it is written.
        _committed ??= (0, await flushNotImported(cancellationToken).ConfigureAwait(false), 0);
        var (lastRow, bytes, attempt) = _committed.Value;
        var checkpoint = Checkpoint(lastRow, bytes, attempt, decisions);
        var snapshot = _state.Snapshot();
        return new ImportJobCommit(
            _state.Id,
            checkpoint,
            token => onCheckpoint(checkpoint, snapshot, token),
            _run.SaveCheckpointIn ?? ((_, _, _) => throw new NotSupportedException("Saving a checkpoint in a sink's transaction needs a background job.")));
    }

    private ImportJobCheckpoint Checkpoint(int lastRow, long notImportedBytes, int attempt, IReadOnlyList<ImportRowDecision> pending)
    {
        lock (_state.Gate)
        {
            return new ImportJobCheckpoint
            {
                LastRow = lastRow,
                Created = _state.Created,
                Updated = _state.Updated,
                Skipped = _state.Skipped,
                Errors = _state.Errors,
                TotalItems = _state.TotalItems,
                NotImportedBytes = notImportedBytes,
                RowErrors = [.. _state.RowErrors],
                PendingDecisions = pending,
                Attempt = attempt,
            };
        }
    }

    /// <summary>Sets the exact total once every row has been read.</summary>
    public void AllRowsRead(int dataRows)
    {
        _estimate = null;
        lock (_state.Gate)
        {
            _state.TotalItems = dataRows;
        }
    }

    /// <summary>Ends the job with a status and a message (a summary when <paramref name="message"/> is <see langword="null"/>).</summary>
    public void Finish(ImportJobStatus status, string? message, bool dryRun) => Finish(status, message, null, dryRun);

    /// <summary>Ends the job failed with <paramref name="failure"/>: its message, and the problem itself for callers that branch on it.</summary>
    public void Fail(ImportProblem failure) => Finish(ImportJobStatus.Failed, failure.Message, failure, dryRun: false);

    private void Finish(ImportJobStatus status, string? message, ImportProblem? failure, bool dryRun)
    {
        _estimate = null;
        if (status == ImportJobStatus.Failed && message is not null)
        {
            Log.ImportFailed(_logger, _state.Id, message);
        }

        lock (_state.Gate)
        {
            _state.Status = status;
            _state.Failure = failure;
            _state.Message = message ?? Summary(dryRun);
            _state.CompletedDate = _time.GetUtcNow();
            _state.UpdatedAt = _state.CompletedDate.Value;
        }

        _run.OnState?.Invoke(_state);
    }

    /// <summary>Reports the final state exactly, whatever the throttle.</summary>
    public ImportJobDto Final()
    {
        var final = _state.Snapshot();
        Log.ImportEnded(_logger, final.Id, final.Status, final.CreatedCount, final.UpdatedCount, final.SkippedCount, final.ErrorCount);
        _run.Progress?.Report(final);
        return final;
    }

    private string Summary(bool dryRun) =>
        $"{(dryRun ? "Dry run: would have " : string.Empty)}{(dryRun ? "created" : "Created")} {_state.Created}, updated {_state.Updated}, skipped {_state.Skipped}, {_state.Errors} with errors.";

    /// <summary>Shows the row-count estimate in totalItems once its count has finished (checked once per batch).</summary>
    private void ApplyEstimate()
    {
        if (_estimate is not { IsCompleted: true } done)
        {
            return;
        }

        _estimate = null;
        if (done.Result is { } rows)
        {
            lock (_state.Gate)
            {
                _state.TotalItems = rows;
            }

            Report(force: true);
        }
    }

    private void Report(bool force)
    {
        var now = _time.GetTimestamp();
        if (!force && _lastReport != long.MinValue && _time.GetElapsedTime(_lastReport, now) < _interval)
        {
            _run.OnState?.Invoke(_state);
            return;
        }

        _lastReport = now;
        _run.OnState?.Invoke(_state);
        _run.Progress?.Report(_state.Snapshot());
    }
}
