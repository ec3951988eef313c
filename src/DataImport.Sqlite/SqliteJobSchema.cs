using System.Data;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite;

/// <summary>
/// The job database's tables, versioned by <c>PRAGMA user_version</c> and migrated when a store first opens the file.
/// </summary>
/// <remarks>
/// Version 2 keeps what claims, fairness, leases and listing compare in narrow columns of <c>import_jobs</c>, with
/// partial indexes over the live (queued or running) jobs, and the job and checkpoint documents apart in
/// <c>import_job_documents</c>; so a claim reads index entries of live jobs and never a finished job's document.
/// Version 0 is the layout before versioning: one table holding the documents too.
/// </remarks>
internal static class SqliteJobSchema
{
    /// <summary>The schema version this code writes.</summary>
    public const int Version = 2;

    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS ix_import_jobs_domain ON import_jobs (domain, seq);
        CREATE INDEX IF NOT EXISTS ix_import_jobs_live ON import_jobs (domain, seq, status, lease_expires) WHERE status IN (0, 1);
        CREATE INDEX IF NOT EXISTS ix_import_jobs_running ON import_jobs (domain, lease_expires) WHERE status = 1;
        CREATE INDEX IF NOT EXISTS ix_import_jobs_domain_claim ON import_jobs (domain, claim_seq);
        CREATE INDEX IF NOT EXISTS ix_import_jobs_claim ON import_jobs (claim_seq);
        CREATE INDEX IF NOT EXISTS ix_import_jobs_completed ON import_jobs (completed_at) WHERE completed_at IS NOT NULL;
        """;

    private const string Documents = """
        CREATE TABLE import_job_documents (
            seq INTEGER PRIMARY KEY,
            job TEXT NOT NULL,
            checkpoint TEXT NULL);
        """;

    private const string JobColumns = "seq, id, domain, status, created_at, completed_at, upload_file, worker_id, lease_expires, last_heartbeat, cancel_requested, attempts, claim_seq";

    /// <summary>Creates the tables of a new file, or migrates an older file, in one immediate transaction.</summary>
    /// <param name="connection">An open connection.</param>
    /// <exception cref="InvalidOperationException">The file was written by a newer version of the store.</exception>
    public static void Migrate(SqliteConnection connection)
    {
        Execute(connection, null, "PRAGMA journal_mode = WAL;");

        // BEGIN IMMEDIATE holds the write lock while the version is read and changed, so when two processes start at
        // once the second waits (busy_timeout) and then finds the file already at this version.
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable);
        var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version == Version)
        {
            return;
        }

        if (version > Version)
        {
            throw new InvalidOperationException($"The job database has schema version {version}; this version of DataImport.Sqlite reads up to version {Version}. Use the newer package.");
        }

        var hasJobs = Convert.ToInt64(Scalar(connection, transaction, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'import_jobs'"), CultureInfo.InvariantCulture) > 0;
        if (hasJobs)
        {
            // Version 0: copy the columns into the new layout and the documents into their own table.
            Execute(connection, transaction, $"""
                {JobsTable("import_jobs_v2")}
                INSERT INTO import_jobs_v2 ({JobColumns}) SELECT {JobColumns} FROM import_jobs;
                {Documents}
                INSERT INTO import_job_documents (seq, job, checkpoint) SELECT seq, job, checkpoint FROM import_jobs;
                UPDATE sqlite_sequence SET seq = (SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('import_jobs', 'import_jobs_v2')) WHERE name = 'import_jobs_v2';
                DROP TABLE import_jobs;
                ALTER TABLE import_jobs_v2 RENAME TO import_jobs;
                """);
        }
        else
        {
            Execute(connection, transaction, JobsTable("import_jobs") + Documents);
        }

        Execute(connection, transaction, Indexes + "PRAGMA user_version = " + Version.ToString(CultureInfo.InvariantCulture) + ";");
        transaction.Commit();
    }

    private static string JobsTable(string name) => $"""
        CREATE TABLE {name} (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            domain TEXT NOT NULL,
            status INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            completed_at INTEGER NULL,
            upload_file TEXT NOT NULL,
            worker_id TEXT NULL,
            lease_expires INTEGER NULL,
            last_heartbeat INTEGER NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            claim_seq INTEGER NULL);
        """;

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
