using Npgsql;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// A job store in PostgreSQL, shared by the workers of every host that points at the same database and schema. Each
/// call is one short transaction; state changes are <c>UPDATE … WHERE status = @expected</c> (and the worker id where a
/// lease is needed), so a job is claimed by one worker and finishes once. Register it with <c>UsePostgreSql</c>.
/// </summary>
/// <remarks>
/// <para>
/// The tables live in a schema the host names (<c>dataimport</c> by default), created and migrated on first use; when
/// several hosts start at once, one migrates and the others wait for it (an advisory lock). The job and checkpoint are
/// stored in <see cref="ImportJobRowFormat"/>; what claims and leases compare are indexed columns of live jobs, so their
/// cost does not grow with the number of finished jobs.
/// </para>
/// <para>
/// A claim is fair across hosts: it ranks the domains that have a job to run (fewer running jobs first, then the domain
/// served longest ago, then the one with the oldest job), locks the best domain's row that no other claim holds
/// (<c>FOR UPDATE SKIP LOCKED</c>) and that no claim has served since the ranking, and takes that domain's oldest
/// claimable job (<c>FOR UPDATE SKIP LOCKED</c>); when every candidate is taken it waits for the best one's claim and
/// ranks again. So two hosts claiming at the same moment take the two best domains rather than both the first, no
/// claim acts on a ranking another host's claim has made stale, and one domain's long queue cannot starve another's
/// single job whichever host claims. A job row is only locked by the claim that takes it, so no job is claimed twice.
/// </para>
/// <para>
/// Times: every time the store writes or compares comes from the caller, that is from the <see cref="TimeProvider"/>
/// of the host that makes the call (the claim's and heartbeat's "now", the lease's end, the job's dates); the store never
/// reads the database server's clock. That keeps one clock per host for the whole job layer (tests run on a fake one)
/// and makes the store behave like the in-memory and SQLite stores. Hosts compare each other's lease ends, so their
/// clocks must agree (NTP) to well within the lease duration minus the heartbeat interval.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlImportJobStore : ImportJobStore
{
    private const string Columns = "id, job, upload_file, checkpoint, worker_id, lease_expires, last_heartbeat, cancel_requested, attempts, status, seq";
    private const int DeleteBatch = 500;
    private readonly string _selectJobs;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlImportJobStore"/> class.</summary>
    /// <param name="dataSource">The data source of the shared database; the caller keeps it and disposes it.</param>
    /// <param name="schemaName">The schema the tables live in; created when missing. The default is <c>dataimport</c>.</param>
    /// <exception cref="ArgumentException">The schema name is not valid (see <see cref="PostgreSqlImportOptions.SchemaName"/>).</exception>
    public PostgreSqlImportJobStore(NpgsqlDataSource dataSource, string schemaName = PostgreSqlSchema.DefaultName)
        : this(new PostgreSqlImportDatabase(dataSource, schemaName, ownsDataSource: false))
    {
    }

    internal PostgreSqlImportJobStore(PostgreSqlImportDatabase database)
    {
        Database = database;
        _selectJobs = $"SELECT {Columns} FROM {database.Jobs}";
    }

    /// <summary>Gets the database (data source and schema), for the record sink that commits checkpoints in its own transaction.</summary>
    internal PostgreSqlImportDatabase Database { get; }

    private string Jobs => Database.Jobs;

    /// <inheritdoc />
    public override async ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var batch = Database.DataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            var domain = job.Domain ?? string.Empty;
            var register = new NpgsqlBatchCommand($"INSERT INTO {Database.Domains} (domain) VALUES (@domain) ON CONFLICT (domain) DO NOTHING");
            register.Parameters.Add(Text("domain", domain));
            batch.BatchCommands.Add(register);
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO {Jobs} (id, domain, status, created_at, upload_file, cancel_requested, attempts, job, checkpoint)
                VALUES (@id, @domain, @status, @created, @upload, @cancel, @attempts, @job, @checkpoint)
                """);
            insert.Parameters.Add(Text("id", job.Id));
            insert.Parameters.Add(Text("domain", domain));
            insert.Parameters.Add(Int("status", (int)job.Status));
            insert.Parameters.Add(Time("created", job.Job.CreatedDate));
            insert.Parameters.Add(Text("upload", job.UploadFileId));
            insert.Parameters.Add(new NpgsqlParameter<bool>("cancel", job.CancellationRequested));
            insert.Parameters.Add(Int("attempts", job.Attempts));
            insert.Parameters.Add(Text("job", ImportJobRowFormat.WriteJob(job.Job)));
            insert.Parameters.Add(Text("checkpoint", job.Checkpoint is null ? null : ImportJobRowFormat.WriteCheckpoint(job.Checkpoint)));
            batch.BatchCommands.Add(insert);
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new InvalidOperationException($"A job with id '{job.Id}' exists.", ex);
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var jobs = await QueryAsync($"{_selectJobs} WHERE id = @id", cancellationToken, Text("id", id)).ConfigureAwait(false);
        return jobs.Count > 0 ? jobs[0] : null;
    }

    /// <inheritdoc />
    public override async ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) =>
        await QueryAsync(
            $"{_selectJobs} WHERE domain = @domain ORDER BY seq DESC LIMIT @take OFFSET @skip",
            cancellationToken,
            Text("domain", domain ?? string.Empty),
            Int("take", Math.Max(take, 0)),
            Int("skip", Math.Max(skip, 0))).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> GetOldestQueuedAsync(CancellationToken cancellationToken)
    {
        // Queued jobs are live ones: the partial index ix_import_jobs_live keeps this off the history of finished jobs.
        var jobs = await QueryAsync($"{_selectJobs} WHERE status = 0 ORDER BY seq LIMIT 1", cancellationToken).ConfigureAwait(false);
        return jobs.Count > 0 ? jobs[0] : null;
    }

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        var cancel = await ScalarAsync(
            $"UPDATE {Jobs} SET last_heartbeat = @now, lease_expires = @lease WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING cancel_requested",
            cancellationToken,
            Text("id", id),
            Text("worker", workerId),
            Time("now", now),
            Time("lease", leaseExpires)).ConfigureAwait(false);
        return LeaseState(cancel);
    }

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var cancel = await ScalarAsync(
            $"""
            UPDATE {Jobs} SET lease_expires = @lease, last_heartbeat = COALESCE(@heartbeat, last_heartbeat),
                job = @job, checkpoint = COALESCE(@checkpoint, checkpoint)
            WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING cancel_requested
            """,
            cancellationToken,
            Text("id", id),
            Text("worker", workerId),
            Time("lease", leaseExpires),
            Time("heartbeat", job.LastHeartbeat),
            Text("job", ImportJobRowFormat.WriteJob(job)),
            Text("checkpoint", checkpoint is null ? null : ImportJobRowFormat.WriteCheckpoint(checkpoint))).ConfigureAwait(false);
        return LeaseState(cancel);
    }

    /// <inheritdoc />
    public override async ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var finished = job.IsFinished;
        return await ExecuteAsync(
            $"""
            UPDATE {Jobs} SET status = @status, completed_at = @completed, job = @job,
                worker_id = CASE WHEN @finished THEN NULL ELSE worker_id END,
                lease_expires = CASE WHEN @finished THEN NULL ELSE lease_expires END
            WHERE id = @id AND status = @expected AND (@worker::text IS NULL OR worker_id = @worker)
            """,
            cancellationToken,
            Text("id", id),
            Int("expected", (int)expected),
            Int("status", (int)job.Status),
            Time("completed", finished ? job.CompletedDate ?? job.UpdatedAt : null),
            new NpgsqlParameter<bool>("finished", finished),
            Text("worker", workerId),
            Text("job", ImportJobRowFormat.WriteJob(job))).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"UPDATE {Jobs} SET worker_id = NULL, lease_expires = NULL WHERE id = @id AND status = 1 AND worker_id = @worker",
            cancellationToken,
            Text("id", id),
            Text("worker", workerId)).ConfigureAwait(false) > 0;

    /// <inheritdoc />
    public override async ValueTask<int> ReleaseLeasesOfAsync(string workerId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"UPDATE {Jobs} SET worker_id = NULL, lease_expires = NULL WHERE status = 1 AND worker_id = @worker",
            cancellationToken,
            Text("worker", workerId)).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"UPDATE {Jobs} SET cancel_requested = true WHERE id = @id AND status IN (0, 1)",
            cancellationToken,
            Text("id", id)).ConfigureAwait(false) > 0;

    /// <inheritdoc />
    public override async ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        // In batches, each its own statement, so a large backlog never holds many row locks for long; rows another
        // call is deleting at the same moment are skipped, not waited for.
        var deleted = new List<StoredImportJob>();
        while (true)
        {
            var batch = await QueryAsync(
                $"""
                DELETE FROM {Jobs} WHERE id IN (
                    SELECT id FROM {Jobs} WHERE status >= 2 AND completed_at < @before ORDER BY completed_at LIMIT @limit FOR UPDATE SKIP LOCKED)
                RETURNING {Columns}
                """,
                cancellationToken,
                Time("before", completedBefore),
                Int("limit", DeleteBatch)).ConfigureAwait(false);
            deleted.AddRange(batch);
            if (batch.Count < DeleteBatch)
            {
                return deleted;
            }
        }
    }

    /// <summary>
    /// Saves a job's checkpoint in the caller's transaction, while <paramref name="workerId"/> holds the job (in progress,
    /// same worker id): a sink that writes to the same database commits its batch and the checkpoint together, so a
    /// batch is never written without its checkpoint nor the other way round (exactly once).
    /// </summary>
    /// <param name="connection">The caller's open connection to this store's database.</param>
    /// <param name="transaction">The caller's transaction on that connection; the caller commits or rolls it back.</param>
    /// <param name="id">The job id.</param>
    /// <param name="workerId">The worker that must hold the job.</param>
    /// <param name="checkpoint">The checkpoint after the batch.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when the checkpoint was written (pending the caller's commit); <see langword="false"/> when the worker no longer holds the job.</returns>
    internal async ValueTask<bool> SaveCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, string workerId, ImportJobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(checkpoint);
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var command = new NpgsqlCommand($"UPDATE {Jobs} SET checkpoint = @checkpoint WHERE id = @id AND status = 1 AND worker_id = @worker", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Text("id", id));
            command.Parameters.Add(Text("worker", workerId));
            command.Parameters.Add(Text("checkpoint", ImportJobRowFormat.WriteCheckpoint(checkpoint)));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    /// <inheritdoc />
    /// <remarks>The transaction must be an <see cref="NpgsqlTransaction"/> on this store's database (a sink writing to the same database).</remarks>
    public override ValueTask<bool> SaveCheckpointAsync(System.Data.Common.DbTransaction transaction, string id, string workerId, ImportJobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        transaction is NpgsqlTransaction { Connection: { } connection } npgsql
            ? SaveCheckpointAsync(connection, npgsql, id, workerId, checkpoint, cancellationToken)
            : throw new ArgumentException("The transaction must be an open PostgreSQL transaction on the job store's database.", nameof(transaction));

    private static ImportJobLeaseState LeaseState(object? cancelRequested) =>
        cancelRequested is bool cancel ? new ImportJobLeaseState(true, cancel) : ImportJobLeaseState.Lost;

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : value };

    private static NpgsqlParameter<int> Int(string name, int value) => new(name, value);

    // Npgsql writes timestamptz from UTC values only; the instant is what matters, so any offset is converted.
    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } time ? time.UtcDateTime : DBNull.Value };
}
