using DataImport.Diagnostics;
using DataImport.Files;
using DataImport.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.Jobs;

/// <summary>Queues jobs in the store and answers for them, scoped by domain; the worker runs them.</summary>
internal sealed class ImportJobService : IImportJobService
{
    private readonly ImportEngine _engine;
    private readonly ImportJobStore _store;
    private readonly ImportFileStore _files;
    private readonly ImportDownloadLinks _links;
    private readonly ImportJobSignal _signal;
    private readonly RunningImportJobs _running;
    private readonly ImportMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _workerId;

    public ImportJobService(ImportEngine engine, ImportJobStore store, ImportFileStore files, ImportDownloadLinks links, ImportJobSignal signal, RunningImportJobs running, ImportMetrics metrics, IOptions<ImportJobsOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _engine = engine;
        _store = store;
        _files = files;
        _links = links;
        _signal = signal;
        _running = running;
        _metrics = metrics;
        _time = time;
        _logger = loggers.CreateLogger("DataImport.Jobs");
        _workerId = options.Value.WorkerId;
    }

    public async Task<ImportJobDto> StartAsync(ImportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _engine.Validate(request);
        if (request.NotImportedOutput is not null)
        {
            throw new ImportValidationException("A background job writes its own not-imported file; leave NotImportedOutput unset.");
        }

        var id = Guid.NewGuid().ToString();
        var upload = new CountingReadStream(request.File);
        var fileId = await _files.SaveUploadAsync(id, upload, _engine.Options.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        ImportJobDto job;
        try
        {
            job = _engine.NewState(request, new ImportRunOptions { JobId = id }).Snapshot();
            await _store.CreateAsync(new StoredImportJob { Job = job, UploadFileId = fileId }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _files.DeleteAsync(id, fileId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _metrics.RecordUpload(job.Entity, upload.BytesRead);
        JobLog.Queued(_logger, id, job.Entity, job.Domain);
        _signal.Notify();
        return job;
    }

    public async Task<ImportJobDto?> GetAsync(string? domain, string id, CancellationToken cancellationToken = default)
    {
        var stored = await FindAsync(domain, id, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Present(stored);
    }

    public async Task<IReadOnlyList<ImportJobDto>> ListAsync(string? domain, int skip = 0, int take = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(take, 1000);
        var page = await _store.ListAsync(domain, skip, take, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(Present)];
    }

    public async Task<ImportJobDto?> CancelAsync(string? domain, string id, CancellationToken cancellationToken = default)
    {
        var stored = await FindAsync(domain, id, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Job.IsFinished)
        {
            return stored is null ? null : Present(stored);
        }

        JobLog.CancelRequested(_logger, id);
        if (stored.Status == ImportJobStatus.Queued)
        {
            var cancelled = Cancelled(stored);
            if (await _store.TryTransitionAsync(id, ImportJobStatus.Queued, cancelled, null, cancellationToken).ConfigureAwait(false))
            {
                _metrics.RecordJob(cancelled);
                return cancelled;
            }
        }
        else if (stored.WorkerId == _workerId && !_running.IsRunning(id))
        {
            // This process's worker holds the job without running it: an attempt failed and the next waits for the lease
            // to end. Should the worker claim it again meanwhile, its run finds the job changed and stops.
            var cancelled = Cancelled(stored);
            if (await _store.TryTransitionAsync(id, ImportJobStatus.InProgress, cancelled, _workerId, cancellationToken).ConfigureAwait(false))
            {
                _metrics.RecordJob(cancelled);
                return cancelled;
            }
        }

        // Running here, on another machine, or claimed a moment ago: the flag reaches the worker wherever it runs.
        await _store.RequestCancellationAsync(id, cancellationToken).ConfigureAwait(false);
        _running.Cancel(id);
        var after = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return after is null ? null : Present(after);
    }

    public async Task<Stream?> OpenNotImportedAsync(string? domain, string id, CancellationToken cancellationToken = default)
    {
        var stored = await FindAsync(domain, id, cancellationToken).ConfigureAwait(false);
        return stored is { Job.IsFinished: true } ? await _files.OpenNotImportedAsync(stored.Id, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>The job cancelled where it stands: the counts of its last checkpoint stay, as do the rows they count.</summary>
    private ImportJobDto Cancelled(StoredImportJob stored)
    {
        var now = _time.GetUtcNow();
        var job = stored.Job;
        return job with
        {
            Status = ImportJobStatus.Cancelled,
            Message = stored.Checkpoint is null ? "The import was cancelled before it started." : "The import was cancelled; rows written before it stay.",
            CompletedDate = now,
            UpdatedAt = now,
            Output = new ImportJobOutput { ImportedCount = job.ImportedCount, FailedCount = job.FailedCount, CreatedCount = job.CreatedCount, UpdatedCount = job.UpdatedCount, SkippedCount = job.SkippedCount, ErrorCount = job.ErrorCount, TotalItems = job.TotalItems, DryRun = job.Payload?.DryRun ?? false },
        };
    }

    private async Task<StoredImportJob?> FindAsync(string? domain, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var stored = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return stored is not null && string.Equals(stored.Domain ?? string.Empty, domain ?? string.Empty, StringComparison.Ordinal) ? stored : null;
    }

    private ImportJobDto Present(StoredImportJob stored)
    {
        var job = stored.Job;

        // Signed afresh on every read, so a link is valid for its full lifetime from the moment the user sees it.
        return job is { IsFinished: true, FailedCount: > 0 } ? job with { NotImportedDownloadUrl = _links.Create(job.Id, job.Domain) } : job;
    }
}
