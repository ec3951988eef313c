using Npgsql;

namespace DataImport.PostgreSql;

/// <summary>
/// The database the PostgreSQL stores share: a data source, the schema their tables live in (quoted table names ready
/// for SQL), and the once-per-process migration of that schema. The stores of one container share one instance.
/// </summary>
internal sealed class PostgreSqlImportDatabase : IAsyncDisposable, IDisposable
{
    private readonly bool _ownsDataSource;
    private readonly SemaphoreSlim _migrateGate = new(1, 1);
    private volatile bool _migrated;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlImportDatabase"/> class.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="schemaName">The schema name, validated by <see cref="PostgreSqlSchema.Validate"/>.</param>
    /// <param name="ownsDataSource">Whether disposing this disposes the data source (it was created from a connection string).</param>
    public PostgreSqlImportDatabase(NpgsqlDataSource dataSource, string schemaName, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlSchema.Validate(schemaName);
        DataSource = dataSource;
        SchemaName = schemaName;
        _ownsDataSource = ownsDataSource;
        var schema = PostgreSqlSchema.Quote(schemaName);
        Jobs = schema + ".import_jobs";
        Domains = schema + ".import_job_domains";
        Claims = schema + ".import_job_claims";
        Files = schema + ".import_files";
        Chunks = schema + ".import_file_chunks";
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Gets the schema name as the host wrote it (unquoted).</summary>
    public string SchemaName { get; }

    /// <summary>Gets the quoted name of the jobs table.</summary>
    public string Jobs { get; }

    /// <summary>Gets the quoted name of the table holding each domain's last claim (the round robin's memory).</summary>
    public string Domains { get; }

    /// <summary>Gets the quoted name of the sequence that orders claims across hosts (valid inside a text literal too: schema names have no quotes).</summary>
    public string Claims { get; }

    /// <summary>Gets the quoted name of the files table.</summary>
    public string Files { get; }

    /// <summary>Gets the quoted name of the file chunks table.</summary>
    public string Chunks { get; }

    /// <summary>Creates or migrates the schema, once per instance; a failed attempt is tried again on the next call.</summary>
    public async ValueTask EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migrateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_migrated)
            {
                await PostgreSqlSchema.MigrateAsync(DataSource, SchemaName, cancellationToken).ConfigureAwait(false);
                _migrated = true;
            }
        }
        finally
        {
            _migrateGate.Release();
        }
    }

    // Both, so a container disposed synchronously (ServiceProvider.Dispose) can dispose it too.
    public void Dispose()
    {
        _migrateGate.Dispose();
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _migrateGate.Dispose();
        if (_ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
