using System.Collections.Concurrent;
using System.Data.Common;

namespace DataImport.Tests.Jobs;

/// <summary>An error as a database provider throws it: its message is for developers, never for the user.</summary>
internal sealed class ProviderException(string message) : DbException(message)
{
    public const string Locked = "SQLite Error 5: 'database is locked'.";
}

/// <summary>A job store over another whose writes fail like a locked database when the test says so, and which counts claims.</summary>
internal sealed class FlakyJobStore(ImportJobStore inner) : ImportJobStore
{
    private int _failNextSaves;
    private int _failedSaves;
    private volatile bool _down;

    public ImportJobStore Inner => inner;

    /// <summary>Gets or sets a value indicating whether every write fails (reads still work, so the test can look).</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>Gets or sets how many claims each claimed job is said to have had before, as if their processes had died.</summary>
    public int EarlierClaims { get; set; }

    public int FailedSaves => Volatile.Read(ref _failedSaves);

    /// <summary>Gets the id of every job claimed, in order.</summary>
    public ConcurrentQueue<string> Claims { get; } = new();

    /// <summary>Makes the next <paramref name="count"/> progress saves fail.</summary>
    public void FailNextSaves(int count) => Volatile.Write(ref _failNextSaves, count);

    public override ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken) => inner.CreateAsync(job, cancellationToken);

    public override ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) => inner.ListAsync(domain, skip, take, cancellationToken);

    public override async ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        var claimed = await inner.ClaimNextAsync(workerId, now, leaseExpires, cancellationToken);
        if (claimed is null)
        {
            return null;
        }

        Claims.Enqueue(claimed.Id);
        return claimed with { Attempts = claimed.Attempts + EarlierClaims };
    }

    public override ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.HeartbeatAsync(id, workerId, now, leaseExpires, cancellationToken);
    }

    public override ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        if (_down || Interlocked.Decrement(ref _failNextSaves) >= 0)
        {
            Interlocked.Increment(ref _failedSaves);
            throw new ProviderException(ProviderException.Locked);
        }

        return inner.SaveProgressAsync(id, workerId, job, checkpoint, leaseExpires, cancellationToken);
    }

    public override ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.TryTransitionAsync(id, expected, job, workerId, cancellationToken);
    }

    public override ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.ReleaseAsync(id, workerId, cancellationToken);
    }

    public override ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken) => inner.RequestCancellationAsync(id, cancellationToken);

    public override ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken) => inner.DeleteFinishedAsync(completedBefore, cancellationToken);

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new ProviderException(ProviderException.Locked);
        }
    }
}

/// <summary>A file store over another whose not-imported files can never be created, as on a full or read-only disk.</summary>
internal sealed class UnwritableNotImportedFileStore(ImportFileStore inner) : ImportFileStore
{
    private int _opens;

    public int Opens => Volatile.Read(ref _opens);

    public override ValueTask<string> SaveUploadAsync(string jobId, Stream content, long maxBytes, CancellationToken cancellationToken) => inner.SaveUploadAsync(jobId, content, maxBytes, cancellationToken);

    public override ValueTask<Stream?> OpenUploadAsync(string fileId, CancellationToken cancellationToken) => inner.OpenUploadAsync(fileId, cancellationToken);

    public override ValueTask<Stream> OpenNotImportedForWriteAsync(string jobId, long length, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        throw new UnauthorizedAccessException($"Access to the path '{jobId}.not-imported' is denied.");
    }

    public override ValueTask<Stream?> OpenNotImportedAsync(string jobId, CancellationToken cancellationToken) => inner.OpenNotImportedAsync(jobId, cancellationToken);

    public override ValueTask DeleteAsync(string jobId, string uploadFileId, CancellationToken cancellationToken) => inner.DeleteAsync(jobId, uploadFileId, cancellationToken);
}

/// <summary>A sink whose database is locked: looking up keys throws the provider's error, which is not a row's problem.</summary>
internal sealed class LockedDatabaseSink : ImportSink<Customer>
{
    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
        throw new ProviderException(ProviderException.Locked);

    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken) =>
        throw new ProviderException(ProviderException.Locked);
}
