namespace DataImport;

/// <summary>One job as a job store keeps it: the job's state, where its upload lives, its last checkpoint and its lease.</summary>
public sealed record StoredImportJob
{
    /// <summary>Gets the job's state as last saved; its <see cref="ImportJobDto.Status"/> and <see cref="ImportJobDto.LastHeartbeat"/> are the store's.</summary>
    public required ImportJobDto Job { get; init; }

    /// <summary>Gets the file store's name of the uploaded file.</summary>
    public required string UploadFileId { get; init; }

    /// <summary>Gets the last checkpoint, or <see langword="null"/> before the first committed batch.</summary>
    public ImportJobCheckpoint? Checkpoint { get; init; }

    /// <summary>Gets the worker holding the lease, or <see langword="null"/> when none does.</summary>
    public string? WorkerId { get; init; }

    /// <summary>Gets when the lease ends (UTC); after it another worker may take the job over.</summary>
    public DateTimeOffset? LeaseExpires { get; init; }

    /// <summary>Gets a value indicating whether cancellation was requested; the running worker polls it.</summary>
    public bool CancellationRequested { get; init; }

    /// <summary>Gets how many times a worker claimed the job.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the job id.</summary>
    public string Id => Job.Id;

    /// <summary>Gets the tenant of the job, or <see langword="null"/>.</summary>
    public string? Domain => Job.Domain;

    /// <summary>Gets the status.</summary>
    public ImportJobStatus Status => Job.Status;
}

/// <summary>What a worker learns when it renews its lease or saves progress.</summary>
/// <param name="LeaseHeld">Whether the worker still holds the lease; when not, it must stop without changing the job.</param>
/// <param name="CancellationRequested">Whether cancellation was requested; the worker then stops and ends the job cancelled.</param>
public sealed record ImportJobLeaseState(bool LeaseHeld, bool CancellationRequested)
{
    /// <summary>Gets the state of a lease the worker no longer holds.</summary>
    public static ImportJobLeaseState Lost { get; } = new(false, false);
}
