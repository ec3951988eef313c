namespace DataImport;

/// <summary>Settings of background import jobs: the worker, leases, retention and download links. Validated when the container starts.</summary>
public sealed class ImportJobsOptions
{
    /// <summary>Gets or sets how many jobs one worker runs at once.</summary>
    /// <value>The default is 2.</value>
    public int MaxConcurrency { get; set; } = 2;

    // Not the machine name alone: several processes on one machine commonly share one SQLite store, and two live
    // processes with one id would both hold the same job's lease (each heartbeat succeeds) and run it twice.
    /// <summary>
    /// Gets or sets this worker's id in the job store; processes running at the same time against one store must have
    /// different ids. Give each host instance a stable id (e.g. the machine name and an instance name) and a restarted
    /// instance releases the leases its dead process held when it starts, so its jobs resume at once instead of after
    /// <see cref="LeaseDuration"/>.
    /// </summary>
    /// <value>The default is the machine name, the process id and a random suffix: unique, but new in every process, so a
    /// killed host's jobs wait for their leases to expire.</value>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Gets or sets how often the worker looks for jobs queued by other processes (jobs queued in this process start at once).</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long a claimed job stays with its worker without a heartbeat; after it another worker takes the job over.</summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how often a running job's heartbeat renews its lease and checks for cancellation requested on another machine.</summary>
    /// <value>The default is 10 seconds; it must be shorter than <see cref="LeaseDuration"/>.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how many times in a row a job may be claimed without committing a batch before it ends failed, so a
    /// job that cannot run (its not-imported file cannot be created, its sink cannot be made, it stops its worker's
    /// process) is not claimed again every lease forever. A claim that commits a batch starts the count again, so a long
    /// import resumed after several restarts is not affected.
    /// </summary>
    /// <value>The default is 3 attempts.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long finished jobs and their files are kept. An upload that no job took (its process was killed
    /// between receiving it and creating the job) is deleted once this old too, and never before it is an hour old.
    /// </summary>
    /// <value>The default is 7 days.</value>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how often finished jobs older than <see cref="Retention"/> are deleted.</summary>
    /// <value>The default is 1 hour.</value>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the folder of the default local file store.</summary>
    /// <value>The default is <see langword="null"/>: a <c>dataimport</c> folder in the temp folder.</value>
    public string? FilesPath { get; set; }

    /// <summary>
    /// Gets or sets the secret that signs not-imported download links (HMAC-SHA256), at least 32 characters. Every process
    /// that serves links of a shared store needs the same key.
    /// </summary>
    /// <value>The default is <see langword="null"/>: a random key per process, so links work only on the process that made them.</value>
    public string? DownloadLinkKey { get; set; }

    /// <summary>Gets or sets how long a download link stays valid.</summary>
    /// <value>The default is 60 minutes.</value>
    public TimeSpan DownloadLinkLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Gets or sets the relative path of the host's download endpoint; <c>{id}</c> is replaced by the job id.</summary>
    /// <value>The default is <c>/api/v1/job/{id}/not-imported</c>.</value>
    public string DownloadPath { get; set; } = "/api/v1/job/{id}/not-imported";
}
