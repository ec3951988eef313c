using System.Globalization;
using Npgsql;

namespace DataImport.PostgreSql;

/// <summary>
/// The tables of the PostgreSQL stores, in a schema the host names, versioned in that schema's <c>schema_version</c>
/// table and migrated when a store first touches the database.
/// </summary>
/// <remarks>
/// The migration runs in one transaction holding a transaction-level advisory lock derived from the schema name, so
/// when several hosts start at once the others wait and then find the schema at the current version; DDL is
/// transactional in PostgreSQL, so a migration that fails leaves nothing half done. The schema is created only when it
/// does not exist, so a host whose role may not create schemas can use one an administrator created.
/// </remarks>
internal static class PostgreSqlSchema
{
    /// <summary>The default schema name.</summary>
    public const string DefaultName = "dataimport";

    /// <summary>The longest identifier PostgreSQL keeps (NAMEDATALEN - 1).</summary>
    private const int MaxNameLength = 63;

    // Each entry migrates from the version before it; the list only grows.
    private static readonly Func<string, string>[] Migrations = [Version1, Version2];

    /// <summary>Gets the schema version this code writes.</summary>
    public static int Version => Migrations.Length;

    /// <summary>Throws when <paramref name="name"/> is not a schema name the stores accept.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long, reserved, or has characters other than ASCII letters, digits and underscores, or starts with a digit.</exception>
    public static void Validate(string? name)
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
    }

    /// <summary>Describes what is wrong with a schema name, or returns <see langword="null"/> when it is valid.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The PostgreSQL schema name is empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"The PostgreSQL schema name '{name}' is longer than {MaxNameLength} characters.";
        }

        if (!char.IsAsciiLetter(name[0]) && name[0] != '_')
        {
            return $"The PostgreSQL schema name '{name}' must start with a letter or an underscore.";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return $"The PostgreSQL schema name '{name}' may hold only ASCII letters, digits and underscores.";
            }
        }

        return name.StartsWith("pg_", StringComparison.OrdinalIgnoreCase)
            ? $"The PostgreSQL schema name '{name}' starts with 'pg_', which PostgreSQL reserves for its own schemas."
            : null;
    }

    /// <summary>Quotes an identifier, so its case is kept and no character of it can end the identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Creates the schema and its tables, or migrates them to <see cref="Version"/>.</summary>
    /// <exception cref="InvalidOperationException">The schema was written by a newer version of the package.</exception>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string schemaName, CancellationToken cancellationToken)
    {
        Validate(schemaName);
        var schema = Quote(schemaName);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", LockKey(schemaName))).ConfigureAwait(false);
                var exists = await ScalarAsync(connection, "SELECT 1 FROM pg_namespace WHERE nspname = @name", cancellationToken, ("name", schemaName)).ConfigureAwait(false);
                if (exists is null)
                {
                    await ExecuteAsync(connection, $"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {schema}.schema_version (version integer PRIMARY KEY)", cancellationToken).ConfigureAwait(false);
                var stored = await ScalarAsync(connection, $"SELECT COALESCE(MAX(version), 0) FROM {schema}.schema_version", cancellationToken).ConfigureAwait(false);
                var version = Convert.ToInt32(stored, CultureInfo.InvariantCulture);
                if (version > Version)
                {
                    throw new InvalidOperationException($"The PostgreSQL schema '{schemaName}' has DataImport schema version {version}; this version of DataImport.PostgreSql knows up to version {Version}. Upgrade DataImport.PostgreSql on every host that shares the database.");
                }

                for (var next = version + 1; next <= Version; next++)
                {
                    await ExecuteAsync(connection, Migrations[next - 1](schema), cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_version (version) VALUES (@version)", cancellationToken, ("version", next)).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The advisory lock of one schema's migration: a stable 64-bit FNV-1a hash of a name only this package uses.</summary>
    internal static long LockKey(string schemaName)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in "DataImport.PostgreSql migration " + schemaName)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    // Jobs: what claims, fairness, leases and listing compare are narrow indexed columns; the job and checkpoint documents
    // (ImportJobRowFormat) are TOASTed out of line (toast_tuple_target), so a heartbeat rewrites a narrow row. Partial
    // indexes over live jobs (queued or running) keep claims independent of the history of finished jobs. seq (creation
    // order) has no index of its own on purpose: the planner then finds a domain's oldest queued job in
    // ix_import_jobs_queued instead of walking all jobs in seq order looking for a queued one.
    // Files: each file is a row of its length and chunk size, and its bytes are rows of at most one chunk each.
    private static string Version1(string s) => $"""
        CREATE TABLE {s}.import_jobs (
            id text PRIMARY KEY,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            domain text NOT NULL,
            status integer NOT NULL,
            created_at timestamptz NOT NULL,
            completed_at timestamptz NULL,
            upload_file text NOT NULL,
            worker_id text NULL,
            lease_expires timestamptz NULL,
            last_heartbeat timestamptz NULL,
            cancel_requested boolean NOT NULL DEFAULT false,
            attempts integer NOT NULL DEFAULT 0,
            job text NOT NULL,
            checkpoint text NULL)
            WITH (toast_tuple_target = 128);
        ALTER TABLE {s}.import_jobs ALTER COLUMN job SET STORAGE EXTERNAL, ALTER COLUMN checkpoint SET STORAGE EXTERNAL;
        CREATE INDEX ix_import_jobs_domain ON {s}.import_jobs (domain, seq);
        CREATE INDEX ix_import_jobs_live ON {s}.import_jobs (domain) WHERE status IN (0, 1);
        CREATE INDEX ix_import_jobs_queued ON {s}.import_jobs (domain, seq) WHERE status = 0;
        CREATE INDEX ix_import_jobs_running ON {s}.import_jobs (domain, lease_expires) WHERE status = 1;
        CREATE INDEX ix_import_jobs_worker ON {s}.import_jobs (worker_id) WHERE status = 1;
        CREATE INDEX ix_import_jobs_completed ON {s}.import_jobs (completed_at) WHERE status >= 2;
        CREATE TABLE {s}.import_job_domains (
            domain text PRIMARY KEY,
            last_claim bigint NOT NULL DEFAULT 0);
        CREATE SEQUENCE {s}.import_job_claims;
        CREATE TABLE {s}.import_files (
            id text PRIMARY KEY,
            length bigint NOT NULL,
            chunk_size integer NOT NULL);
        CREATE TABLE {s}.import_file_chunks (
            file_id text NOT NULL REFERENCES {s}.import_files (id) ON DELETE CASCADE,
            chunk integer NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (file_id, chunk));
        """;

    // Files: when an upload was saved (the database's clock, set when its copy ends), so uploads that no job took can be
    // found and deleted after a while (ImportFileStore.DeleteAbandonedUploadsAsync). Files from version 1 count from now.
    private static string Version2(string s) => $"""
        ALTER TABLE {s}.import_files ADD COLUMN saved_at timestamptz NOT NULL DEFAULT now();
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
