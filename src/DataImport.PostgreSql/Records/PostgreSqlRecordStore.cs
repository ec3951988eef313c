using System.Collections.Concurrent;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// Keeps the records of entities defined at run time (<see cref="ImportRecord"/>) in PostgreSQL: a table per entity
/// in one schema, a column per property typed after it, a <c>_domain</c> column so tenants never see each other's
/// records, and the key (with the domain) as primary key. Creates the sink of each import and lists what landed.
/// </summary>
/// <remarks>
/// Tables are created on first use (<see cref="EnsureTableAsync"/> does it ahead of time). Column types follow
/// <see cref="PropertyType"/>: <c>text</c> (<c>varchar(n)</c> with a <see cref="EntityProperty.MaxLength"/>),
/// <c>integer</c>, <c>bigint</c>, <c>numeric</c>, <c>double precision</c>, <c>boolean</c>, <c>date</c>,
/// <c>timestamptz</c>, <c>time</c>, <c>uuid</c>; an enum is <c>text</c>. Required and key properties are
/// <c>NOT NULL</c>. Instances of several hosts can share the store: each batch is one transaction.
/// </remarks>
public sealed class PostgreSqlRecordStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly ConcurrentDictionary<EntitySchema, RecordTable> _tables = new();

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlRecordStore"/> class.</summary>
    /// <param name="dataSource">The database; the store opens a connection per batch and does not dispose it.</param>
    /// <param name="options">The schema to use, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The schema name cannot be a PostgreSQL name.</exception>
    public PostgreSqlRecordStore(NpgsqlDataSource dataSource, PostgreSqlRecordSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schema = options?.Schema ?? PostgreSqlRecordSinkOptions.DefaultSchema;
        if (Sql.IdentifierProblem("The schema name", _schema) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
    }

    /// <summary>
    /// Creates the sink that writes one domain's records of an entity. The sink <c>AddPostgreSqlRecordSink</c> registers
    /// also commits a job's checkpoint in its batch transactions when the job store is <c>UsePostgreSql</c> on the same
    /// database; this one saves checkpoints through the job store first, as any sink.
    /// </summary>
    /// <param name="entity">The entity.</param>
    /// <param name="domain">The tenant, or <see langword="null"/> for none (stored as an empty domain).</param>
    /// <returns>The sink; each of its batches is one transaction.</returns>
    /// <exception cref="ArgumentException">The entity or a property has a name PostgreSQL cannot hold (more than 63 bytes), or a property is named <c>_id</c> or <c>_domain</c>.</exception>
    public ImportSink<ImportRecord> CreateSink(EntitySchema entity, string? domain)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new PostgreSqlRecordSink(_dataSource, Table(entity), domain ?? string.Empty, checkpointInTransaction: false);
    }

    /// <summary>The sink of a job run by <paramref name="jobStore"/>: when that store keeps its tables in this database, checkpoints commit in the sink's transactions.</summary>
    internal ImportSink<ImportRecord> CreateSink(EntitySchema entity, string? domain, ImportJobStore? jobStore) =>
        new PostgreSqlRecordSink(_dataSource, Table(entity), domain ?? string.Empty, checkpointInTransaction: SharesDatabaseWith(jobStore));

    /// <summary>Whether the job store is the PostgreSQL one on this store's database (same data source, or same host, port and database).</summary>
    internal bool SharesDatabaseWith(ImportJobStore? jobStore)
    {
        if (jobStore is not PostgreSqlImportJobStore postgres)
        {
            return false;
        }

        var theirs = postgres.Database.DataSource;
        if (ReferenceEquals(theirs, _dataSource))
        {
            return true;
        }

        var a = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
        var b = new NpgsqlConnectionStringBuilder(theirs.ConnectionString);
        return string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port
            && string.Equals(a.Database ?? a.Username, b.Database ?? b.Username, StringComparison.Ordinal);
    }

    /// <summary>Creates the entity's table (and its schema) if it does not exist, and adds the columns of properties added since.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>A task that completes when the table is ready.</returns>
    /// <exception cref="ArgumentException">The entity cannot be stored (see <see cref="CreateSink(EntitySchema, string?)"/>).</exception>
    public async Task EnsureTableAsync(EntitySchema entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        await Table(entity).EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists a page of one domain's records of an entity, in the order they were first written.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="domain">The tenant, or <see langword="null"/> for none.</param>
    /// <param name="offset">How many records to skip.</param>
    /// <param name="limit">The most records to return.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The page and the domain's total; a page past the end is empty.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or <paramref name="limit"/> is not positive.</exception>
    public async Task<PostgreSqlRecordPage> ListAsync(EntitySchema entity, string? domain, long offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var table = Table(entity);
        await table.EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var where = $" FROM {table.Name} WHERE {Sql.Quote(RecordTable.DomainColumn)} = $1";
        var select = new StringBuilder("SELECT ").AppendJoin(", ", table.Columns.Select(c => c.Name)).Append(where)
            .Append(" ORDER BY ").Append(Sql.Quote(RecordTable.IdColumn)).Append(" LIMIT $2 OFFSET $3").ToString();

        using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT count(*)" + where) { Parameters = { Text(domain) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(select)
        {
            Parameters = { Text(domain), new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer }, new NpgsqlParameter { Value = offset, NpgsqlDbType = NpgsqlDbType.Bigint } },
        });

        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        await using var readerScope = reader.ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<ImportRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = new ImportRecord(entity);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var column = table.Columns[i];
                record[column.Property.Name] = reader.IsDBNull(i) ? null : column.FromDatabase(reader, i);
            }

            records.Add(record);
        }

        return new PostgreSqlRecordPage { Records = records, Total = total };
    }

    private static NpgsqlParameter Text(string? domain) => new() { Value = domain ?? string.Empty, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>The table of an entity, built once per schema instance (a changed schema is a new instance, checked again).</summary>
    private RecordTable Table(EntitySchema entity) => _tables.GetOrAdd(entity, static (e, schema) => RecordTable.For(schema, e), _schema);
}
