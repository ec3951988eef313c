using DataImport.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.Jobs;

/// <summary>
/// The hosted worker: claims jobs from the store (queued ones, and running ones whose worker stopped renewing its
/// lease), runs up to <see cref="ImportJobsOptions.MaxConcurrency"/> at once, and deletes finished jobs past retention.
/// The store's claim order keeps domains fair; jobs queued in this process wake it at once, others are found by polling.
/// </summary>
internal sealed class ImportJobWorker : BackgroundService
{
    /// <summary>The least age of an upload that no job took before the retention pass deletes it.</summary>
    internal static readonly TimeSpan AbandonedUploadGrace = TimeSpan.FromHours(1);

    private readonly ImportJobStore _store;
    private readonly ImportFileStore _files;
    private readonly ImportJobRunner _runner;
    private readonly ImportJobSignal _signal;
    private readonly ImportWorkerStatus _status;
    private readonly ImportJobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ImportJobWorker(ImportJobStore store, ImportFileStore files, ImportJobRunner runner, ImportJobSignal signal, ImportWorkerStatus status, IOptions<ImportJobsOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _files = files;
        _runner = runner;
        _signal = signal;
        _status = status;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger("DataImport.Jobs");
    }

    /// <summary>Counts as a first loop: the loop itself runs on the thread pool and may start a moment later.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _status.Loop(_time.GetUtcNow());
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _status.Stop();
        }
    }

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        var nextCleanup = _time.GetUtcNow();
        await ReleaseOwnLeasesAsync(stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _signal.WaitAsync();
            try
            {
                var now = _time.GetUtcNow();
                _status.Loop(now);
                if (now >= nextCleanup)
                {
                    nextCleanup = now + _options.CleanupInterval;
                    await CleanUpAsync(now, stoppingToken).ConfigureAwait(false);
                }

                while (running.Count < _options.MaxConcurrency)
                {
                    now = _time.GetUtcNow();
                    var claimed = await _store.ClaimNextAsync(_options.WorkerId, now, now + _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                    if (claimed is null || running.ContainsKey(claimed.Id))
                    {
                        break;
                    }

                    running[claimed.Id] = Task.Run(() => _runner.RunAsync(claimed, stoppingToken), CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The worker outlives store outages; it tries again at the next poll.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                JobLog.WorkerError(_logger, _options.WorkerId, ex);
            }

            using (var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                await Task.WhenAny([wake, Task.Delay(_options.PollInterval, _time, delay.Token), .. running.Values]).ConfigureAwait(false);
                await delay.CancelAsync().ConfigureAwait(false);
            }

            foreach (var (id, task) in running.Where(r => r.Value.IsCompleted).ToList())
            {
                running.Remove(id);
                await task.ConfigureAwait(false);
            }
        }

        await Task.WhenAll(running.Values).ConfigureAwait(false);
    }

    /// <summary>
    /// A worker id runs in one process at a time, so leases held under it when this worker starts belong to a process of
    /// the same instance that died (e.g. killed); releasing them resumes those jobs now instead of after a lease.
    /// </summary>
    private async Task ReleaseOwnLeasesAsync(CancellationToken stoppingToken)
    {
        try
        {
            var released = await _store.ReleaseLeasesOfAsync(_options.WorkerId, stoppingToken).ConfigureAwait(false);
            if (released > 0)
            {
                JobLog.ReleasedAtStart(_logger, released, _options.WorkerId);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A store outage must not stop the worker; those leases then expire as usual.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            JobLog.WorkerError(_logger, _options.WorkerId, ex);
        }
    }

    private async ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken) =>
        await _store.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is not null;

    private async Task CleanUpAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = now - _options.Retention;
        var deleted = await _store.DeleteFinishedAsync(before, cancellationToken).ConfigureAwait(false);
        foreach (var job in deleted)
        {
            await _files.DeleteAsync(job.Id, job.UploadFileId, cancellationToken).ConfigureAwait(false);
        }

        if (deleted.Count > 0)
        {
            JobLog.CleanedUp(_logger, deleted.Count, before);
        }

        // Uploads no job took (a process killed between saving one and creating its job): kept as long as finished jobs,
        // and never less than an hour, so an upload whose job is being created right now is not among them.
        var abandoned = await _files.DeleteAbandonedUploadsAsync(now - (_options.Retention > AbandonedUploadGrace ? _options.Retention : AbandonedUploadGrace), JobExistsAsync, cancellationToken).ConfigureAwait(false);
        if (abandoned > 0)
        {
            JobLog.AbandonedUploadsDeleted(_logger, abandoned);
        }
    }
}
