namespace DataImport;

/// <summary>
/// Where background import jobs live, shared by every worker of every machine that uses it. The in-memory store is the
/// default; <c>DataImport.Sqlite</c> adds a durable one. New virtual members may be added in later versions with default
/// implementations.
/// </summary>
/// <remarks>
/// A store must guarantee:
/// <list type="bullet">
/// <item><description>Every write is atomic, and concurrent calls from several processes never lose an update.</description></item>
/// <item><description><see cref="ClaimNextAsync"/> gives one job to at most one worker: a queued job, or a running job whose lease has
/// expired (its worker stopped renewing it). It prefers domains with fewer running jobs, then the domain served longest ago
/// (round robin), then the oldest job, so one domain's queue cannot starve another's.</description></item>
/// <item><description><see cref="HeartbeatAsync"/>, <see cref="SaveProgressAsync"/> and <see cref="ReleaseAsync"/> only act while the
/// given worker holds the job (status in progress, same worker id), so a worker that lost its lease cannot overwrite the new owner.</description></item>
/// <item><description><see cref="TryTransitionAsync"/> is a compare-and-set on the status: a job changes state only from the expected
/// one, so it cannot finish twice.</description></item>
/// <item><description>Times are the caller's (<see cref="TimeProvider"/>); the store never reads a clock of its own.</description></item>
/// </list>
/// </remarks>
public abstract class ImportJobStore
{
    /// <summary>Adds a new queued job.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the job is stored.</returns>
    /// <exception cref="InvalidOperationException">A job with the same id exists.</exception>
    public abstract ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken);

    /// <summary>Finds a job by id, whatever its domain; callers check the domain.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The job, or <see langword="null"/>.</returns>
    public abstract ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists the jobs of one domain, newest first.</summary>
    /// <param name="domain">The domain, or <see langword="null"/> for jobs without one.</param>
    /// <param name="skip">How many jobs to skip.</param>
    /// <param name="take">How many jobs to return at most.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The jobs.</returns>
    public abstract ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken);

    /// <summary>Claims the next job to run (see the remarks for the order) and gives the worker its lease; the job is then in progress.</summary>
    /// <param name="workerId">The claiming worker.</param>
    /// <param name="now">The current time; leases that ended before it are expired.</param>
    /// <param name="leaseExpires">When the new lease ends.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The claimed job with its last checkpoint, or <see langword="null"/> when there is nothing to run.</returns>
    public abstract ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken);

    /// <summary>Renews the lease of a running job and sets its last heartbeat, if the worker still holds it.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="now">The heartbeat time.</param>
    /// <param name="leaseExpires">When the renewed lease ends.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Whether the lease is still held and whether cancellation was requested.</returns>
    public abstract ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken);

    /// <summary>Saves the state and, when given, the checkpoint of a running job, and renews its lease, if the worker still holds it.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="job">The job's state.</param>
    /// <param name="checkpoint">The checkpoint after the last committed batch, or <see langword="null"/> to keep the stored one.</param>
    /// <param name="leaseExpires">When the renewed lease ends.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Whether the lease is still held and whether cancellation was requested.</returns>
    public abstract ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken);

    /// <summary>
    /// Saves a running job's checkpoint inside a transaction that a sink opened on the store's own database, if the worker
    /// still holds the job, so the sink's rows and the checkpoint commit together (<see cref="ImportJobCommit"/>). Nothing
    /// else about the job changes (its state is saved with the next <see cref="SaveProgressAsync"/>).
    /// </summary>
    /// <param name="transaction">The sink's open transaction on this store's database.</param>
    /// <param name="id">The job id.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when saved; <see langword="false"/> when the worker no longer holds the job.</returns>
    /// <exception cref="NotSupportedException">The store cannot join another transaction (the default).</exception>
    public virtual ValueTask<bool> SaveCheckpointAsync(System.Data.Common.DbTransaction transaction, string id, string workerId, ImportJobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} cannot save a job's checkpoint in a sink's transaction; use a sink that writes without it.");

    /// <summary>Changes a job's status to <paramref name="job"/>'s, only if it is <paramref name="expected"/> (and, when given, held by the worker); a finished job's lease is cleared.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="expected">The status the job must have.</param>
    /// <param name="job">The new state; its status is the new status.</param>
    /// <param name="workerId">The worker that must hold the job, or <see langword="null"/> when none has to (e.g. cancelling a queued job).</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when the job changed; <see langword="false"/> when its status or owner differed.</returns>
    public abstract ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken);

    /// <summary>Gives up the lease of a running job (e.g. its host is stopping) so another worker resumes it at once.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when the worker held the lease.</returns>
    public abstract ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up every lease held under a worker id, so the jobs a stopped process of that worker left running are resumed at
    /// once instead of after their leases expire. The worker calls it when it starts, with its own id.
    /// </summary>
    /// <param name="workerId">The worker whose leases are released.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>How many leases were released. The default implementation releases none and returns 0, so those jobs wait for their leases to expire.</returns>
    public virtual ValueTask<int> ReleaseLeasesOfAsync(string workerId, CancellationToken cancellationToken) => ValueTask.FromResult(0);

    /// <summary>Finds the queued job that has waited longest (the oldest by creation), whatever its domain; health checks compare its age with a threshold.</summary>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The job, or <see langword="null"/> when no job is queued.</returns>
    /// <exception cref="NotSupportedException">The default implementation: the store cannot tell (the queue check then reports that it did not run).</exception>
    public virtual ValueTask<StoredImportJob?> GetOldestQueuedAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not report its oldest queued job.");

    /// <summary>Flags a queued or running job for cancellation; the worker running it polls the flag, on any machine.</summary>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when the job was queued or running.</returns>
    public abstract ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes finished jobs that ended before a time, and returns them so their files can be deleted too.</summary>
    /// <param name="completedBefore">Jobs that ended before this time are deleted.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The deleted jobs.</returns>
    public abstract ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken);
}
