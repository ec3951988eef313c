using DataImport.Diagnostics;
using DataImport.Pipeline;
using Microsoft.Extensions.Logging;

namespace DataImport.Jobs;

/// <summary>The lease of a running job: checkpoints saved with retries, and the heartbeat that renews it.</summary>
internal sealed partial class ImportJobRunner
{
    /// <summary>
    /// Saves the checkpoint of a committed batch, even when the run is being cancelled: its rows are written, so it must
    /// not be lost. A store that stays down stops the run as a lost lease does: the job is left as it is, to be resumed.
    /// </summary>
    /// <returns><see langword="false"/> when the store stayed down.</returns>
    private async ValueTask<bool> SaveCheckpointAsync(string id, ImportJobCheckpoint reached, ImportJobDto snapshot, CancellationTokenSource cancel, CancellationTokenSource lost)
    {
        ImportJobLeaseState result;
        try
        {
            result = await _retry.RunAsync(id, "saving a checkpoint", ct => _store.SaveProgressAsync(id, WorkerId, snapshot, reached, _time.GetUtcNow() + _options.LeaseDuration, ct), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store threw, the job must not end failed for it; the log has the error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            JobLog.StoreUnavailable(_logger, id, WorkerId, ex);
            await lost.CancelAsync().ConfigureAwait(false);
            return false;
        }

        if (!result.LeaseHeld)
        {
            await lost.CancelAsync().ConfigureAwait(false);
        }
        else if (result.CancellationRequested)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        return true;
    }

    private async Task HeartbeatAsync(string id, ImportJobState state, CancellationTokenSource cancel, CancellationTokenSource lost, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();

                // The run's state takes the beat before the store does: the run's last save writes the state's value,
                // and a reader that saw the store's newer beat must not see that save move it back. The worker was
                // alive at `now` whether or not the store took the beat.
                lock (state.Gate)
                {
                    state.LastHeartbeat = now;
                }

                ImportJobLeaseState result;
                try
                {
                    result = await _retry.RunAsync(id, "renewing the lease", ct => _store.HeartbeatAsync(id, WorkerId, now, now + _options.LeaseDuration, ct), stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The next beat tries again, well within the lease; a store down for longer makes the checkpoint save stop the run.
                    JobLog.WorkerError(_logger, WorkerId, ex);
                    continue;
                }

                if (!result.LeaseHeld)
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
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
}
