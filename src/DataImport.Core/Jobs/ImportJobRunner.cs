using System.Diagnostics;
using System.Globalization;
using DataImport.Diagnostics;
using DataImport.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.Jobs;

/// <summary>
/// Runs one claimed job through the engine: resumes from its checkpoint, saves a checkpoint after every committed batch,
/// renews the lease on a heartbeat, stops when cancelled (here or through the store) or when the lease is lost, and
/// ends the job with a compare-and-set so it cannot finish twice.
/// </summary>
/// <remarks>
/// Outcomes are decided exactly once: the pipeline saves a batch's decisions through the checkpoint callback before the
/// sink writes it, and a resumed run replays them (see <see cref="Pipeline.BatchWriter{TRecord}"/>).
/// </remarks>
internal sealed class ImportJobRunner
{
    private readonly ImportEngine _engine;
    private readonly ImportJobStore _store;
    private readonly ImportFileStore _files;
    private readonly RunningImportJobs _running;
    private readonly ImportMetrics _metrics;
    private readonly ImportJobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ImportJobRunner(ImportEngine engine, ImportJobStore store, ImportFileStore files, RunningImportJobs running, ImportMetrics metrics, IOptions<ImportJobsOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _engine = engine;
        _store = store;
        _files = files;
        _running = running;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger("DataImport.Jobs");
    }

    private string WorkerId => _options.WorkerId;

    public async Task RunAsync(StoredImportJob claimed, CancellationToken stopping)
    {
        var id = claimed.Id;
        using var activity = ImportActivity.Source.StartActivity("DataImport.Job", ActivityKind.Internal);
        activity?.SetTag("dataimport.job.id", id);
        activity?.SetTag("dataimport.entity", claimed.Job.Entity);
        activity?.SetTag("dataimport.domain", claimed.Domain);
        activity?.SetTag("dataimport.attempt", claimed.Attempts);
        JobLog.Claimed(_logger, id, WorkerId, claimed.Attempts, claimed.Checkpoint?.LastRow ?? 0);
        using var cancel = new CancellationTokenSource();
        using var lost = new CancellationTokenSource();
        _running.Add(id, cancel);
        try
        {
            var final = await RunCoreAsync(claimed, cancel, lost, stopping).ConfigureAwait(false);
            if (final is not null)
            {
                activity?.SetTag("dataimport.status", final.Status.ToString());
                if (final.Status == ImportJobStatus.Failed)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, final.Message);
                }
            }
        }
#pragma warning disable CA1031 // A store outage must not crash the host; the lease expires and a worker retries the job.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            JobLog.WorkerError(_logger, WorkerId, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
        finally
        {
            _running.Remove(id);
        }
    }

    /// <returns>The job's final state when this run ended it, else <see langword="null"/>.</returns>
    private async Task<ImportJobDto?> RunCoreAsync(StoredImportJob claimed, CancellationTokenSource cancel, CancellationTokenSource lost, CancellationToken stopping)
    {
        var id = claimed.Id;
        var job = claimed.Job;
        if (claimed.CancellationRequested)
        {
            return await FinishEarlyAsync(claimed, ImportJobStatus.Cancelled, "The import was cancelled before it started.").ConfigureAwait(false);
        }

        var entity = _engine.FindImportEntity(job.Entity);
        if (entity is null || job.Payload is null)
        {
            return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The entity '{job.Entity}' is no longer registered, so the import cannot run.").ConfigureAwait(false);
        }

        var upload = await _files.OpenUploadAsync(claimed.UploadFileId, stopping).ConfigureAwait(false);
        if (upload is null)
        {
            return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The uploaded file '{job.FileName}' of this job is no longer available (it may have been deleted), so the import cannot run; start it again with the file.").ConfigureAwait(false);
        }

        await using (upload.ConfigureAwait(false))
        {
            var checkpoint = claimed.Checkpoint;
            var output = await _files.OpenNotImportedForWriteAsync(id, checkpoint?.NotImportedBytes ?? 0, stopping).ConfigureAwait(false);
            await using (output.ConfigureAwait(false))
            {
                var request = job.Payload.ToRequest(job.Domain, upload, output);
                object sink;
                try
                {
                    _engine.Validate(request);
                    sink = _engine.CreateSink(entity, job.Domain);
                }
                catch (Exception ex) when (ex is ImportValidationException or InvalidOperationException)
                {
                    return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, ex.Message).ConfigureAwait(false);
                }

                return await RunEngineAsync(claimed, request, entity, sink, cancel, lost, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task<ImportJobDto?> RunEngineAsync(StoredImportJob claimed, ImportRequest request, Entities.ImportEntity entity, object sink, CancellationTokenSource cancel, CancellationTokenSource lost, CancellationToken stopping)
    {
        var id = claimed.Id;
        var job = claimed.Job;
        var checkpoint = claimed.Checkpoint;
        var now = _time.GetUtcNow();
        ImportJobDto? counted = null;
        var run = new ImportRunOptions
        {
            JobId = id,
            CreatedDate = job.CreatedDate,
            StartedDate = job.StartedDate ?? now,
            Resume = checkpoint,
            KnownTotal = job.TotalItems,
            OnCheckpoint = async (reached, snapshot, _) =>
            {
                await SaveCheckpointAsync(id, reached, snapshot, cancel, lost).ConfigureAwait(false);
                RecordRows(counted!, snapshot);
                counted = snapshot;
            },
        };
        var state = _engine.NewState(request, run);
        state.Status = ImportJobStatus.InProgress;
        state.LastHeartbeat = now;
        var first = state.Snapshot();
        var lease = await _store.SaveProgressAsync(id, WorkerId, first, null, now + _options.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
        if (!lease.LeaseHeld)
        {
            JobLog.LeaseLost(_logger, id, WorkerId);
            return null;
        }

        if (lease.CancellationRequested)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        counted = first;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, lost.Token, stopping);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(running.Token);
        var heartbeat = HeartbeatAsync(id, state, cancel, lost, heartbeatStop.Token);
        ImportJobDto final;
        try
        {
            final = await _engine.RunCoreAsync(request, entity, sink, run, state, running.Token).ConfigureAwait(false);
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }

        RecordRows(counted, final);
        if (lost.IsCancellationRequested)
        {
            JobLog.LeaseLost(_logger, id, WorkerId);
            return null;
        }

        if (final.Status == ImportJobStatus.Cancelled && !cancel.IsCancellationRequested && stopping.IsCancellationRequested)
        {
            // The host is stopping, not the user cancelling: hand the job back so a worker resumes it from its checkpoint.
            await _store.ReleaseAsync(id, WorkerId, CancellationToken.None).ConfigureAwait(false);
            JobLog.Released(_logger, id);
            return null;
        }

        return await EndAsync(final).ConfigureAwait(false);
    }

    /// <summary>Saves the checkpoint of a committed batch, even when the run is being cancelled: its rows are written, so it must not be lost.</summary>
    private async ValueTask SaveCheckpointAsync(string id, ImportJobCheckpoint reached, ImportJobDto snapshot, CancellationTokenSource cancel, CancellationTokenSource lost)
    {
        var at = _time.GetUtcNow();
        var result = await _store.SaveProgressAsync(id, WorkerId, snapshot, reached, at + _options.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
        if (!result.LeaseHeld)
        {
            await lost.CancelAsync().ConfigureAwait(false);
        }
        else if (result.CancellationRequested)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task HeartbeatAsync(string id, ImportJobState state, CancellationTokenSource cancel, CancellationTokenSource lost, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                ImportJobLeaseState result;
                try
                {
                    result = await _store.HeartbeatAsync(id, WorkerId, now, now + _options.LeaseDuration, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A passing store error: the next beat tries again, well within the lease.
                    JobLog.WorkerError(_logger, WorkerId, ex);
                    continue;
                }

                if (!result.LeaseHeld)
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                lock (state.Gate)
                {
                    state.LastHeartbeat = now;
                }

                if (result.CancellationRequested)
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task<ImportJobDto?> FinishEarlyAsync(StoredImportJob claimed, ImportJobStatus status, string message)
    {
        var now = _time.GetUtcNow();
        var job = claimed.Job;
        var final = job with
        {
            Status = status,
            Message = message,
            StartedDate = job.StartedDate ?? now,
            CompletedDate = now,
            UpdatedAt = now,
            Output = new ImportJobOutput { ImportedCount = job.ImportedCount, FailedCount = job.FailedCount, CreatedCount = job.CreatedCount, UpdatedCount = job.UpdatedCount, SkippedCount = job.SkippedCount, ErrorCount = job.ErrorCount, TotalItems = job.TotalItems, DryRun = job.Payload?.DryRun ?? false },
        };
        return await EndAsync(final).ConfigureAwait(false);
    }

    private async Task<ImportJobDto?> EndAsync(ImportJobDto final)
    {
        if (!await _store.TryTransitionAsync(final.Id, ImportJobStatus.InProgress, final, WorkerId, CancellationToken.None).ConfigureAwait(false))
        {
            JobLog.TransitionRefused(_logger, final.Id, final.Status);
            return null;
        }

        _metrics.RecordJob(final);
        JobLog.Finished(_logger, final.Id, final.Status);
        return final;
    }

    private void RecordRows(ImportJobDto before, ImportJobDto after)
    {
        _metrics.RecordRows(RowOutcome.Created, after.CreatedCount - before.CreatedCount);
        _metrics.RecordRows(RowOutcome.Updated, after.UpdatedCount - before.UpdatedCount);
        _metrics.RecordRows(RowOutcome.Skipped, after.SkippedCount - before.SkippedCount);
        _metrics.RecordRows(RowOutcome.Error, after.ErrorCount - before.ErrorCount);
    }
}
