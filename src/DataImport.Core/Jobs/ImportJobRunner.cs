using System.Diagnostics;
using System.Globalization;
using DataImport.Diagnostics;
using DataImport.Pipeline;
using DataImport.Sinks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.Jobs;

/// <summary>
/// Runs one claimed job through the engine: resumes from its checkpoint, saves a checkpoint after every committed batch,
/// renews the lease on a heartbeat, stops when cancelled (here or through the store) or when the lease is lost, and
/// ends the job with a compare-and-set so it cannot finish twice.
/// </summary>
/// <remarks>
/// <para>
/// Outcomes are decided exactly once: the pipeline saves a batch's decisions through the checkpoint callback before the
/// sink writes it, and a resumed run replays them (see <see cref="Pipeline.BatchWriter{TRecord}"/>).
/// </para>
/// <para>
/// Store writes are retried (<see cref="JobStoreRetry"/>); a store that stays down stops the run without changing the
/// job, and a worker resumes it once its lease ends; so does a database out of reach mid-run (a transient error of the
/// sink or of the file store, <see cref="Sinks.TransientErrors"/>). An error before the engine runs (the upload or the
/// not-imported file cannot be opened, the sink cannot be made) keeps the lease until it ends, so the next attempt comes a lease
/// later; after <see cref="ImportJobsOptions.MaxAttempts"/> attempts in a row without a committed batch the job ends
/// failed, saying what could not be done.
/// </para>
/// </remarks>
internal sealed partial class ImportJobRunner
{
    private readonly ImportEngine _engine;
    private readonly ImportJobStore _store;
    private readonly ImportFileStore _files;
    private readonly RunningImportJobs _running;
    private readonly ImportMetrics _metrics;
    private readonly ImportJobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobStoreRetry _retry;

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
        _retry = new JobStoreRetry(time, _options.LeaseDuration, _logger);
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
            var message = claimed.Checkpoint is null ? "The import was cancelled before it started." : "The import was cancelled; rows written before it stay.";
            return await FinishEarlyAsync(claimed, ImportJobStatus.Cancelled, message).ConfigureAwait(false);
        }

        var attempt = AttemptsWithoutProgress(claimed);
        if (attempt > _options.MaxAttempts)
        {
            // The attempts before ended without a word: their process stopped, or they hung until their lease ended.
            JobLog.AttemptsExhausted(_logger, id, attempt - 1);
            return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The import could not run after {Attempts(attempt - 1)}; the details are in the server log (job {id}).").ConfigureAwait(false);
        }

        var entity = _engine.FindImportEntity(job.Entity);
        if (entity is null || job.Payload is null)
        {
            return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The entity '{job.Entity}' is no longer registered, so the import cannot run.").ConfigureAwait(false);
        }

        Stream? upload;
        try
        {
            upload = await _files.OpenUploadAsync(claimed.UploadFileId, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsStopping(ex, stopping))
        {
            return await EndAttemptAsync(claimed, attempt, "the uploaded file could not be opened", ex).ConfigureAwait(false);
        }

        if (upload is null)
        {
            return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The uploaded file '{job.FileName}' of this job is no longer available (it may have been deleted), so the import cannot run; start it again with the file.").ConfigureAwait(false);
        }

        await using (upload.ConfigureAwait(false))
        {
            Stream output;
            try
            {
                output = await _files.OpenNotImportedForWriteAsync(id, claimed.Checkpoint?.NotImportedBytes ?? 0, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (!IsStopping(ex, stopping))
            {
                return await EndAttemptAsync(claimed, attempt, "the not-imported file could not be created", ex).ConfigureAwait(false);
            }

            await using (output.ConfigureAwait(false))
            {
                var request = job.Payload.ToRequest(job.Domain, upload, output);
                object sink;
                try
                {
                    _engine.Validate(request);
                    sink = _engine.CreateSink(entity, job.Domain);
                }
                catch (Exception ex) when (ex is ImportValidationException or SinkNotRegisteredException)
                {
                    return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, ex.Message).ConfigureAwait(false);
                }
                catch (Exception ex) when (!IsStopping(ex, stopping))
                {
                    // The host's sink factory threw: its message is for developers, and it may pass (a database coming back).
                    return await EndAttemptAsync(claimed, attempt, $"the destination of '{entity.Schema.Name}' could not be opened", ex).ConfigureAwait(false);
                }

                return await RunEngineAsync(claimed, request, entity, sink, cancel, lost, stopping).ConfigureAwait(false);
            }
        }
    }

    private static bool IsStopping(Exception ex, CancellationToken stopping) => ex is OperationCanceledException && stopping.IsCancellationRequested;

    private async Task<ImportJobDto?> RunEngineAsync(StoredImportJob claimed, ImportRequest request, Entities.ImportEntity entity, object sink, CancellationTokenSource cancel, CancellationTokenSource lost, CancellationToken stopping)
    {
        var id = claimed.Id;
        var job = claimed.Job;
        var checkpoint = claimed.Checkpoint;
        var now = _time.GetUtcNow();
        ImportJobDto? counted = null;
        var storeDown = false;
        var run = new ImportRunOptions
        {
            JobId = id,
            CreatedDate = job.CreatedDate,
            StartedDate = job.StartedDate ?? now,
            Resume = checkpoint,
            KnownTotal = job.TotalItems,
            Attempt = claimed.Attempts,
            ThrowsTransientErrors = true,
            OnCheckpoint = async (reached, snapshot, token) =>
            {
                if (!await SaveCheckpointAsync(id, reached, snapshot, cancel, lost).ConfigureAwait(false))
                {
                    // Stops the engine now, before it writes a batch that no checkpoint would cover.
                    storeDown = true;
                    throw new OperationCanceledException(token);
                }

                RecordRows(counted!, snapshot);
                counted = snapshot;
            },
            SaveCheckpointIn = async (transaction, reached, token) =>
            {
                // Inside the sink's transaction: no retry (a failure fails the write, which rolls back), and a lost lease
                // stops the run the way a lost heartbeat does, before the sink can commit.
                if (!await _store.SaveCheckpointAsync(transaction, id, WorkerId, reached, token).ConfigureAwait(false))
                {
                    JobLog.LeaseLost(_logger, id, WorkerId);
                    await lost.CancelAsync().ConfigureAwait(false);
                    throw new OperationCanceledException(lost.Token);
                }
            },
        };
        var state = _engine.NewState(request, run);
        state.Status = ImportJobStatus.InProgress;
        state.LastHeartbeat = now;
        var first = state.Snapshot();
        var lease = await _retry.RunAsync(id, "saving progress", ct => _store.SaveProgressAsync(id, WorkerId, first, null, now + _options.LeaseDuration, ct), CancellationToken.None).ConfigureAwait(false);
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
        catch (Exception ex) when (Sinks.TransientErrors.IsTransient(ex))
        {
            // The database went away mid-run (restarting, failing over): no row is to blame and the job is not over. It
            // keeps its lease, so the next attempt comes a lease later, from the last checkpoint; attempts in a row that
            // commit nothing end the job failed (MaxAttempts).
            JobLog.AttemptInterrupted(_logger, id, claimed.Attempts, WorkerId, ex);
            RecordRows(counted, state.Snapshot());
            return null;
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }

        RecordRows(counted, final);
        if (lost.IsCancellationRequested)
        {
            if (!storeDown)
            {
                JobLog.LeaseLost(_logger, id, WorkerId);
            }

            return null;
        }

        if (final.Status == ImportJobStatus.Cancelled && !cancel.IsCancellationRequested && stopping.IsCancellationRequested)
        {
            // The host is stopping, not the user cancelling: hand the job back so a worker resumes it from its checkpoint.
            await _retry.RunAsync(id, "releasing the lease", ct => _store.ReleaseAsync(id, WorkerId, ct), CancellationToken.None).ConfigureAwait(false);
            JobLog.Released(_logger, id);
            return null;
        }

        return await EndAsync(final).ConfigureAwait(false);
    }

    private void RecordRows(ImportJobDto before, ImportJobDto after)
    {
        _metrics.RecordRows(after.Entity, RowOutcome.Created, after.CreatedCount - before.CreatedCount);
        _metrics.RecordRows(after.Entity, RowOutcome.Updated, after.UpdatedCount - before.UpdatedCount);
        _metrics.RecordRows(after.Entity, RowOutcome.Skipped, after.SkippedCount - before.SkippedCount);
        _metrics.RecordRows(after.Entity, RowOutcome.Error, after.ErrorCount - before.ErrorCount);
    }
}
