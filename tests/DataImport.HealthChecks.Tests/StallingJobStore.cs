using Microsoft.Extensions.DependencyInjection;

namespace DataImport.HealthChecks.Tests;

/// <summary>
/// The default in-memory job store, with the faults a real one has: claims that hang (a worker loop stuck on its
/// store), a store that is down, and a store that does not report its queue.
/// </summary>
public sealed class StallingJobStore : ImportJobStore
{
    private readonly ImportJobStore _inner = new ServiceCollection().AddDataImport().AddBackgroundJobs().Services
        .BuildServiceProvider().GetRequiredService<ImportJobStore>();

    private readonly TaskCompletionSource _claimStalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets or sets a value indicating whether claims hang until cancelled.</summary>
    public bool StallClaims { get; set; }

    /// <summary>Gets or sets a value indicating whether every call fails as if the database were down.</summary>
    public bool Down { get; set; }

    /// <summary>Gets or sets a value indicating whether the store reports its oldest queued job (a store that predates it does not).</summary>
    public bool ReportsQueue { get; set; } = true;

    /// <summary>Gets a task that completes when a claim has started to hang.</summary>
    public Task ClaimStalled => _claimStalled.Task;

    public override async ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        if (StallClaims)
        {
            _claimStalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await _inner.ClaimNextAsync(workerId, now, leaseExpires, cancellationToken);
    }

    public override ValueTask<StoredImportJob?> GetOldestQueuedAsync(CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return ReportsQueue ? _inner.GetOldestQueuedAsync(cancellationToken) : base.GetOldestQueuedAsync(cancellationToken);
    }

    public override ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return _inner.CreateAsync(job, cancellationToken);
    }

    public override ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return _inner.GetAsync(id, cancellationToken);
    }

    public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) =>
        _inner.ListAsync(domain, skip, take, cancellationToken);

    public override ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken) =>
        _inner.HeartbeatAsync(id, workerId, now, leaseExpires, cancellationToken);

    public override ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken) =>
        _inner.SaveProgressAsync(id, workerId, job, checkpoint, leaseExpires, cancellationToken);

    public override ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken) =>
        _inner.TryTransitionAsync(id, expected, job, workerId, cancellationToken);

    public override ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken) =>
        _inner.ReleaseAsync(id, workerId, cancellationToken);

    public override ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken) =>
        _inner.RequestCancellationAsync(id, cancellationToken);

    public override ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken) =>
        _inner.DeleteFinishedAsync(completedBefore, cancellationToken);

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new InvalidOperationException("connection refused (the test's store is down)");
        }
    }
}
