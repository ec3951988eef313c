using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite;

/// <summary>
/// A durable job store in a SQLite database file (WAL mode), shared by the workers of every process that opens the same
/// file. Each write runs in a short immediate transaction, and state changes are <c>UPDATE … WHERE status = @expected</c>,
/// so a job is claimed by one worker and finishes once. Register it with <c>UseSqliteJobStore</c>.
/// </summary>
/// <remarks>
/// The tables are created on first use, and a file written by an earlier version is migrated then (the schema version is
/// <c>PRAGMA user_version</c>). Claims, leases and listing use indexed columns of live jobs, so their cost does not grow
/// with the number of finished jobs; the job and checkpoint documents are kept apart and read only for the rows returned.
/// A writer that finds the file locked waits up to the connection string's <c>Default Timeout</c> (30 seconds by default).
/// Times are stored as Unix milliseconds.
/// </remarks>
public sealed partial class SqliteImportJobStore : ImportJobStore
{
    private const string SelectJobs = """
        SELECT j.id, d.job, j.upload_file, d.checkpoint, j.worker_id, j.lease_expires, j.last_heartbeat, j.cancel_requested, j.attempts, j.status, j.seq
        FROM import_jobs j JOIN import_job_documents d ON d.seq = j.seq
        """;

    // Fair order: among domains with a claimable job (queued, or running with an expired lease), the one with fewer live
    // leases first, then the one claimed longest ago (round robin), then its oldest job. The recursive part walks the
    // distinct domains of live jobs through ix_import_jobs_live, and every per-domain value is an index seek, so a claim
    // reads live jobs' index entries only, never the history of finished jobs.
    private const string ClaimSql = """
        WITH RECURSIVE domains(domain) AS (
            SELECT (SELECT domain FROM import_jobs WHERE status IN (0, 1) ORDER BY domain LIMIT 1)
            UNION ALL
            SELECT (SELECT j.domain FROM import_jobs j WHERE j.status IN (0, 1) AND j.domain > domains.domain ORDER BY j.domain LIMIT 1)
            FROM domains WHERE domains.domain IS NOT NULL),
        candidates AS (
            SELECT
                (SELECT j.seq FROM import_jobs j
                    WHERE j.status IN (0, 1) AND j.domain = d.domain AND (j.status = 0 OR j.lease_expires IS NULL OR j.lease_expires < @now)
                    ORDER BY j.seq LIMIT 1) AS seq,
                (SELECT COUNT(*) FROM import_jobs j WHERE j.status = 1 AND j.domain = d.domain AND j.lease_expires >= @now) AS running,
                COALESCE((SELECT MAX(j.claim_seq) FROM import_jobs j WHERE j.domain = d.domain), 0) AS last_claim
            FROM domains d WHERE d.domain IS NOT NULL)
        UPDATE import_jobs SET status = 1, worker_id = @worker, lease_expires = @lease, last_heartbeat = @now, attempts = attempts + 1,
            claim_seq = (SELECT COALESCE(MAX(claim_seq), 0) + 1 FROM import_jobs)
        WHERE seq = (SELECT seq FROM candidates WHERE seq IS NOT NULL ORDER BY running, last_claim, seq LIMIT 1)
        RETURNING seq
        """;

    private const int DeleteBatch = 500;
    private readonly string _connectionString;
    private readonly string _busyTimeout;
    private readonly Lock _initGate = new();
    private volatile bool _initialized;

    /// <summary>Initializes a new instance of the <see cref="SqliteImportJobStore"/> class.</summary>
    /// <param name="connectionString">The connection string, e.g. <c>Data Source=jobs.db</c>.</param>
    /// <exception cref="ArgumentException">The connection string is empty.</exception>
    public SqliteImportJobStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        _connectionString = builder.ToString();

        // SQLite's own busy handler waits for another process's write transaction instead of failing with "database is locked".
        _busyTimeout = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)builder.DefaultTimeout * 1000};");
    }

    /// <inheritdoc />
    public override async ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var document = ImportJobRowFormat.WriteJob(job.Job);
        object checkpoint = job.Checkpoint is null ? DBNull.Value : ImportJobRowFormat.WriteCheckpoint(job.Checkpoint);
        await WriteAsync(
            async (connection, transaction) =>
            {
                try
                {
                    return await ExecuteAsync(
                        connection,
                        transaction,
                        """
                        INSERT INTO import_jobs (id, domain, status, created_at, upload_file, cancel_requested, attempts)
                        VALUES (@id, @domain, @status, @created, @upload, @cancel, @attempts);
                        INSERT INTO import_job_documents (seq, job, checkpoint) VALUES (last_insert_rowid(), @job, @checkpoint);
                        """,
                        p =>
                        {
                            p.AddWithValue("@id", job.Id);
                            p.AddWithValue("@domain", job.Domain ?? string.Empty);
                            p.AddWithValue("@status", (int)job.Status);
                            p.AddWithValue("@created", job.Job.CreatedDate.ToUnixTimeMilliseconds());
                            p.AddWithValue("@upload", job.UploadFileId);
                            p.AddWithValue("@cancel", job.CancellationRequested ? 1 : 0);
                            p.AddWithValue("@attempts", job.Attempts);
                            p.AddWithValue("@job", document);
                            p.AddWithValue("@checkpoint", checkpoint);
                        },
                        cancellationToken).ConfigureAwait(false);
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
                {
                    throw new InvalidOperationException($"A job with id '{job.Id}' exists.", ex);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var jobs = await QueryAsync($"{SelectJobs} WHERE j.id = @id", p => p.AddWithValue("@id", id), cancellationToken).ConfigureAwait(false);
        return jobs.Count > 0 ? jobs[0] : null;
    }

    /// <inheritdoc />
    public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) =>
        QueryAsync(
            $"{SelectJobs} WHERE j.domain = @domain ORDER BY j.seq DESC LIMIT @take OFFSET @skip",
            p =>
            {
                p.AddWithValue("@domain", domain ?? string.Empty);
                p.AddWithValue("@take", take);
                p.AddWithValue("@skip", skip);
            },
            cancellationToken);

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> GetOldestQueuedAsync(CancellationToken cancellationToken)
    {
        // Queued jobs are live ones: the partial index ix_import_jobs_live keeps this off the history of finished jobs.
        var jobs = await QueryAsync($"{SelectJobs} WHERE j.status = 0 ORDER BY j.seq LIMIT 1", _ => { }, cancellationToken).ConfigureAwait(false);
        return jobs.Count > 0 ? jobs[0] : null;
    }

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken) =>
        await WriteAsync<StoredImportJob?>(
            async (connection, transaction) =>
            {
                var seq = await ScalarAsync(
                    connection,
                    transaction,
                    ClaimSql,
                    p =>
                    {
                        p.AddWithValue("@worker", workerId);
                        p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
                        p.AddWithValue("@now", now.ToUnixTimeMilliseconds());
                    },
                    cancellationToken).ConfigureAwait(false);
                if (seq is null)
                {
                    return null;
                }

                var claimed = await ReadJobsAsync(connection, transaction, $"{SelectJobs} WHERE j.seq = @seq", p => p.AddWithValue("@seq", seq), cancellationToken).ConfigureAwait(false);
                return claimed[0];
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        var cancel = await WriteAsync(
            (connection, transaction) => ScalarAsync(
                connection,
                transaction,
                "UPDATE import_jobs SET last_heartbeat = @now, lease_expires = @lease WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING cancel_requested",
                p =>
                {
                    p.AddWithValue("@id", id);
                    p.AddWithValue("@worker", workerId);
                    p.AddWithValue("@now", now.ToUnixTimeMilliseconds());
                    p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return LeaseState(cancel);
    }

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var document = ImportJobRowFormat.WriteJob(job);
        object checkpointDocument = checkpoint is null ? DBNull.Value : ImportJobRowFormat.WriteCheckpoint(checkpoint);
        var cancel = await WriteAsync<object?>(
            async (connection, transaction) =>
            {
                var held = await ReadAllAsync(
                    connection,
                    transaction,
                    """
                    UPDATE import_jobs SET lease_expires = @lease, last_heartbeat = COALESCE(@heartbeat, last_heartbeat)
                    WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING seq, cancel_requested
                    """,
                    p =>
                    {
                        p.AddWithValue("@id", id);
                        p.AddWithValue("@worker", workerId);
                        p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
                        p.AddWithValue("@heartbeat", job.LastHeartbeat is { } beat ? beat.ToUnixTimeMilliseconds() : DBNull.Value);
                    },
                    r => (Seq: r.GetInt64(0), Cancel: r.GetInt64(1)),
                    cancellationToken).ConfigureAwait(false);
                if (held.Count == 0)
                {
                    return null;
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    "UPDATE import_job_documents SET job = @job, checkpoint = COALESCE(@checkpoint, checkpoint) WHERE seq = @seq",
                    p =>
                    {
                        p.AddWithValue("@seq", held[0].Seq);
                        p.AddWithValue("@job", document);
                        p.AddWithValue("@checkpoint", checkpointDocument);
                    },
                    cancellationToken).ConfigureAwait(false);
                return (object)held[0].Cancel;
            },
            cancellationToken).ConfigureAwait(false);
        return LeaseState(cancel);
    }

    /// <inheritdoc />
    public override async ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var finished = job.IsFinished;
        var document = ImportJobRowFormat.WriteJob(job);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var seq = await ScalarAsync(
                    connection,
                    transaction,
                    """
                    UPDATE import_jobs SET status = @status, completed_at = @completed,
                        worker_id = CASE WHEN @finished THEN NULL ELSE worker_id END,
                        lease_expires = CASE WHEN @finished THEN NULL ELSE lease_expires END
                    WHERE id = @id AND status = @expected AND (@worker IS NULL OR worker_id = @worker) RETURNING seq
                    """,
                    p =>
                    {
                        p.AddWithValue("@id", id);
                        p.AddWithValue("@expected", (int)expected);
                        p.AddWithValue("@status", (int)job.Status);
                        p.AddWithValue("@completed", finished ? (job.CompletedDate ?? job.UpdatedAt).ToUnixTimeMilliseconds() : DBNull.Value);
                        p.AddWithValue("@finished", finished ? 1 : 0);
                        p.AddWithValue("@worker", workerId is null ? DBNull.Value : workerId);
                    },
                    cancellationToken).ConfigureAwait(false);
                if (seq is null)
                {
                    return false;
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    "UPDATE import_job_documents SET job = @job WHERE seq = @seq",
                    p =>
                    {
                        p.AddWithValue("@seq", seq);
                        p.AddWithValue("@job", document);
                    },
                    cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The transaction must be a <see cref="SqliteTransaction"/> on this store's database file (a sink keeping its tables there).</remarks>
    public override async ValueTask<bool> SaveCheckpointAsync(DbTransaction transaction, string id, string workerId, ImportJobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (transaction is not SqliteTransaction { Connection: { } connection } sqlite)
        {
            throw new ArgumentException("The transaction must be an open SQLite transaction on the job store's database.", nameof(transaction));
        }

        var saved = await ExecuteAsync(
            connection,
            sqlite,
            """
            UPDATE import_job_documents SET checkpoint = @checkpoint
            WHERE seq = (SELECT seq FROM import_jobs WHERE id = @id AND status = 1 AND worker_id = @worker)
            """,
            p =>
            {
                p.AddWithValue("@id", id);
                p.AddWithValue("@worker", workerId);
                p.AddWithValue("@checkpoint", ImportJobRowFormat.WriteCheckpoint(checkpoint));
            },
            cancellationToken).ConfigureAwait(false);
        return saved == 1;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken) =>
        await WriteAsync(
            (connection, transaction) => ExecuteAsync(
                connection,
                transaction,
                "UPDATE import_jobs SET worker_id = NULL, lease_expires = NULL WHERE id = @id AND status = 1 AND worker_id = @worker",
                p =>
                {
                    p.AddWithValue("@id", id);
                    p.AddWithValue("@worker", workerId);
                },
                cancellationToken),
            cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc />
    public override async ValueTask<int> ReleaseLeasesOfAsync(string workerId, CancellationToken cancellationToken) =>
        await WriteAsync(
            (connection, transaction) => ExecuteAsync(
                connection,
                transaction,
                "UPDATE import_jobs SET worker_id = NULL, lease_expires = NULL WHERE status = 1 AND worker_id = @worker",
                p => p.AddWithValue("@worker", workerId),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken) =>
        await WriteAsync(
            (connection, transaction) => ExecuteAsync(
                connection,
                transaction,
                "UPDATE import_jobs SET cancel_requested = 1 WHERE id = @id AND status IN (0, 1)",
                p => p.AddWithValue("@id", id),
                cancellationToken),
            cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc />
    public override async ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        // In batches, each its own transaction, so a large backlog never holds the write lock for long.
        var deleted = new List<StoredImportJob>();
        while (true)
        {
            var batch = await WriteAsync(
                async (connection, transaction) =>
                {
                    var rows = await ReadAllAsync(
                        connection,
                        transaction,
                        $"{SelectJobs} WHERE j.completed_at < @before AND j.status >= 2 ORDER BY j.completed_at LIMIT @limit",
                        p =>
                        {
                            p.AddWithValue("@before", completedBefore.ToUnixTimeMilliseconds());
                            p.AddWithValue("@limit", DeleteBatch);
                        },
                        r => (Job: Read(r), Seq: r.GetInt64(10)),
                        cancellationToken).ConfigureAwait(false);
                    if (rows.Count > 0)
                    {
                        await ExecuteAsync(
                            connection,
                            transaction,
                            """
                            DELETE FROM import_job_documents WHERE seq IN (SELECT value FROM json_each(@seqs));
                            DELETE FROM import_jobs WHERE seq IN (SELECT value FROM json_each(@seqs));
                            """,
                            p => p.AddWithValue("@seqs", "[" + string.Join(',', rows.Select(r => r.Seq.ToString(CultureInfo.InvariantCulture))) + "]"),
                            cancellationToken).ConfigureAwait(false);
                    }

                    return rows;
                },
                cancellationToken).ConfigureAwait(false);
            deleted.AddRange(batch.Select(r => r.Job));
            if (batch.Count < DeleteBatch)
            {
                return deleted;
            }
        }
    }
}
