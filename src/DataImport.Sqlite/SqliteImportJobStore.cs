using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite;

/// <summary>
/// A durable job store in a SQLite database file (WAL mode), shared by the workers of every process that opens the same
/// file. Each write runs in an immediate transaction, and state changes are <c>UPDATE … WHERE status = @expected</c>, so
/// a job is claimed by one worker and finishes once. Register it with <c>UseSqliteJobStore</c>.
/// </summary>
/// <remarks>The table <c>import_jobs</c> is created on first use. Times are stored as Unix milliseconds.</remarks>
public sealed class SqliteImportJobStore : ImportJobStore
{
    private const string Columns = "id, job, upload_file, checkpoint, worker_id, lease_expires, last_heartbeat, cancel_requested, attempts, status";
    private readonly string _connectionString;
    private readonly Lock _initGate = new();
    private volatile bool _initialized;

    /// <summary>Initializes a new instance of the <see cref="SqliteImportJobStore"/> class.</summary>
    /// <param name="connectionString">The connection string, e.g. <c>Data Source=jobs.db</c>.</param>
    /// <exception cref="ArgumentException">The connection string is empty.</exception>
    public SqliteImportJobStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ToString();
    }

    /// <inheritdoc />
    public override async ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await WriteAsync(
            async (connection, transaction) =>
            {
                var command = Command(connection, transaction, """
                    INSERT INTO import_jobs (id, domain, status, created_at, job, upload_file, checkpoint, cancel_requested, attempts)
                    VALUES (@id, @domain, @status, @created, @job, @upload, @checkpoint, @cancel, @attempts)
                    """);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.AddWithValue("@id", job.Id);
                    command.Parameters.AddWithValue("@domain", job.Domain ?? string.Empty);
                    command.Parameters.AddWithValue("@status", (int)job.Status);
                    command.Parameters.AddWithValue("@created", job.Job.CreatedDate.ToUnixTimeMilliseconds());
                    command.Parameters.AddWithValue("@job", ImportJobRowFormat.WriteJob(job.Job));
                    command.Parameters.AddWithValue("@upload", job.UploadFileId);
                    command.Parameters.AddWithValue("@checkpoint", job.Checkpoint is null ? DBNull.Value : ImportJobRowFormat.WriteCheckpoint(job.Checkpoint));
                    command.Parameters.AddWithValue("@cancel", job.CancellationRequested ? 1 : 0);
                    command.Parameters.AddWithValue("@attempts", job.Attempts);
                    try
                    {
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
                    {
                        throw new InvalidOperationException($"A job with id '{job.Id}' exists.", ex);
                    }
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var jobs = await QueryAsync($"SELECT {Columns} FROM import_jobs WHERE id = @id", p => p.AddWithValue("@id", id), cancellationToken).ConfigureAwait(false);
        return jobs.Count > 0 ? jobs[0] : null;
    }

    /// <inheritdoc />
    public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM import_jobs WHERE domain = @domain ORDER BY seq DESC LIMIT @take OFFSET @skip",
            p =>
            {
                p.AddWithValue("@domain", domain ?? string.Empty);
                p.AddWithValue("@take", take);
                p.AddWithValue("@skip", skip);
            },
            cancellationToken);

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        // Fair order: domains with fewer live jobs first, then the domain claimed longest ago (round robin), then the oldest job.
        var claimed = await WriteQueryAsync(
            $"""
            UPDATE import_jobs SET status = 1, worker_id = @worker, lease_expires = @lease, last_heartbeat = @now, attempts = attempts + 1,
                claim_seq = (SELECT COALESCE(MAX(claim_seq), 0) + 1 FROM import_jobs)
            WHERE id = (
                SELECT q.id FROM import_jobs q
                WHERE q.status = 0 OR (q.status = 1 AND (q.lease_expires IS NULL OR q.lease_expires < @now))
                ORDER BY (SELECT COUNT(*) FROM import_jobs r WHERE r.domain = q.domain AND r.status = 1 AND r.lease_expires >= @now),
                    COALESCE((SELECT MAX(r.claim_seq) FROM import_jobs r WHERE r.domain = q.domain), 0),
                    q.seq
                LIMIT 1)
            RETURNING {Columns}
            """,
            p =>
            {
                p.AddWithValue("@worker", workerId);
                p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
                p.AddWithValue("@now", now.ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
        return claimed.Count > 0 ? claimed[0] : null;
    }

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        var rows = await WriteQueryAsync(
            $"UPDATE import_jobs SET last_heartbeat = @now, lease_expires = @lease WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING {Columns}",
            p =>
            {
                p.AddWithValue("@id", id);
                p.AddWithValue("@worker", workerId);
                p.AddWithValue("@now", now.ToUnixTimeMilliseconds());
                p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? new ImportJobLeaseState(true, rows[0].CancellationRequested) : ImportJobLeaseState.Lost;
    }

    /// <inheritdoc />
    public override async ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var rows = await WriteQueryAsync(
            $"""
            UPDATE import_jobs SET job = @job, checkpoint = COALESCE(@checkpoint, checkpoint), lease_expires = @lease,
                last_heartbeat = COALESCE(@heartbeat, last_heartbeat)
            WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING {Columns}
            """,
            p =>
            {
                p.AddWithValue("@id", id);
                p.AddWithValue("@worker", workerId);
                p.AddWithValue("@job", ImportJobRowFormat.WriteJob(job));
                p.AddWithValue("@checkpoint", checkpoint is null ? DBNull.Value : ImportJobRowFormat.WriteCheckpoint(checkpoint));
                p.AddWithValue("@lease", leaseExpires.ToUnixTimeMilliseconds());
                p.AddWithValue("@heartbeat", job.LastHeartbeat is { } beat ? beat.ToUnixTimeMilliseconds() : DBNull.Value);
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? new ImportJobLeaseState(true, rows[0].CancellationRequested) : ImportJobLeaseState.Lost;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var finished = job.IsFinished;
        var rows = await WriteQueryAsync(
            $"""
            UPDATE import_jobs SET status = @status, job = @job, completed_at = @completed,
                worker_id = CASE WHEN @finished THEN NULL ELSE worker_id END,
                lease_expires = CASE WHEN @finished THEN NULL ELSE lease_expires END
            WHERE id = @id AND status = @expected AND (@worker IS NULL OR worker_id = @worker) RETURNING {Columns}
            """,
            p =>
            {
                p.AddWithValue("@id", id);
                p.AddWithValue("@expected", (int)expected);
                p.AddWithValue("@status", (int)job.Status);
                p.AddWithValue("@job", ImportJobRowFormat.WriteJob(job));
                p.AddWithValue("@completed", finished ? (job.CompletedDate ?? job.UpdatedAt).ToUnixTimeMilliseconds() : DBNull.Value);
                p.AddWithValue("@finished", finished ? 1 : 0);
                p.AddWithValue("@worker", workerId is null ? DBNull.Value : workerId);
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count > 0;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken)
    {
        var rows = await WriteQueryAsync(
            $"UPDATE import_jobs SET worker_id = NULL, lease_expires = NULL WHERE id = @id AND status = 1 AND worker_id = @worker RETURNING {Columns}",
            p =>
            {
                p.AddWithValue("@id", id);
                p.AddWithValue("@worker", workerId);
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count > 0;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await WriteQueryAsync(
            $"UPDATE import_jobs SET cancel_requested = 1 WHERE id = @id AND status IN (0, 1) RETURNING {Columns}",
            p => p.AddWithValue("@id", id),
            cancellationToken).ConfigureAwait(false);
        return rows.Count > 0;
    }

    /// <inheritdoc />
    public override ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken) =>
        WriteQueryAsync(
            $"DELETE FROM import_jobs WHERE status >= 2 AND completed_at < @before RETURNING {Columns}",
            p => p.AddWithValue("@before", completedBefore.ToUnixTimeMilliseconds()),
            cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static StoredImportJob Read(DbDataReader reader)
    {
        var job = ImportJobRowFormat.ReadJob(reader.GetString(1));
        var status = (ImportJobStatus)reader.GetInt32(9);
        DateTimeOffset? heartbeat = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6));
        return new StoredImportJob
        {
            Job = job with { Status = status, LastHeartbeat = heartbeat ?? job.LastHeartbeat },
            UploadFileId = reader.GetString(2),
            Checkpoint = reader.IsDBNull(3) ? null : ImportJobRowFormat.ReadCheckpoint(reader.GetString(3)),
            WorkerId = reader.IsDBNull(4) ? null : reader.GetString(4),
            LeaseExpires = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            CancellationRequested = reader.GetInt32(7) != 0,
            Attempts = reader.GetInt32(8),
        };
    }

    private async ValueTask<IReadOnlyList<StoredImportJob>> QueryAsync(string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadAllAsync(connection, null, sql, parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<IReadOnlyList<StoredImportJob>> WriteQueryAsync(string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken) =>
        await WriteAsync((connection, transaction) => ReadAllAsync(connection, transaction, sql, parameters, cancellationToken), cancellationToken).ConfigureAwait(false);

    private static async Task<IReadOnlyList<StoredImportJob>> ReadAllAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql);
        await using (command.ConfigureAwait(false))
        {
            parameters(command.Parameters);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var jobs = new List<StoredImportJob>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    jobs.Add(Read(reader));
                }

                return jobs;
            }
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // BEGIN IMMEDIATE takes the write lock first, so a read-then-write never races another process's writer.
            var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await write(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_initialized)
            {
                Initialize(connection);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Initialize(SqliteConnection connection)
    {
        // Once per store, before its first call: cheap enough to do synchronously under a lock.
        lock (_initGate)
        {
            if (_initialized)
            {
                return;
            }

            using var command = Command(connection, null, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS import_jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    domain TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    completed_at INTEGER NULL,
                    job TEXT NOT NULL,
                    upload_file TEXT NOT NULL,
                    checkpoint TEXT NULL,
                    worker_id TEXT NULL,
                    lease_expires INTEGER NULL,
                    last_heartbeat INTEGER NULL,
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    claim_seq INTEGER NULL);
                CREATE INDEX IF NOT EXISTS ix_import_jobs_status ON import_jobs (status, seq);
                CREATE INDEX IF NOT EXISTS ix_import_jobs_domain ON import_jobs (domain, seq);
                """);
            command.ExecuteNonQuery();
            _initialized = true;
        }
    }
}
