using DataImport.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DataImport.Jobs;

/// <summary>
/// Retries a running job's write to the job store with exponential backoff on the <see cref="TimeProvider"/>, so a passing
/// outage (a locked database file, a dropped connection) never ends a job: 5 tries, 100 ms apart and doubling, every
/// wait capped so that all of them together stay within half the lease.
/// </summary>
/// <remarks>
/// Any error counts as passing: a store cannot tell a lock from an outage, and a write that keeps failing still ends in
/// the last error, which the runner turns into "stop without changing the job" so another worker resumes it.
/// </remarks>
internal sealed class JobStoreRetry
{
    public const int Tries = 5;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxDelay;
    private readonly ILogger _logger;

    public JobStoreRetry(TimeProvider time, TimeSpan leaseDuration, ILogger logger)
    {
        _time = time;
        _maxDelay = leaseDuration / (2 * (Tries - 1));
        _logger = logger;
    }

    /// <summary>Runs <paramref name="write"/> until it succeeds or has failed <see cref="Tries"/> times; then its last error is thrown.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<T> RunAsync<T>(string jobId, string operation, Func<CancellationToken, ValueTask<T>> write, CancellationToken cancellationToken)
    {
        var delay = FirstDelay < _maxDelay ? FirstDelay : _maxDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < Tries && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                JobLog.StoreWriteRetried(_logger, jobId, operation, attempt, Tries, delay, ex);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < _maxDelay ? delay * 2 : _maxDelay;
        }
    }
}
