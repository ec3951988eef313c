using System.Text;
using Npgsql;

namespace DataImport.PostgreSql;

/// <summary>
/// The table of one entity: a column per property named as the property, a <c>_domain</c> column (the tenant; empty
/// for none) and an <c>_id</c> identity giving the order records were written in. With a key, the primary key is
/// <c>(_domain, key columns)</c>, so the same key may exist once per domain.
/// </summary>
/// <remarks>
/// The table is created on first use and a property added to the schema later gets its column then. Nothing else is
/// migrated: a property whose type or length changed keeps its column as it was, and the database refuses the values
/// that no longer fit (such a row becomes an error naming the column). DDL runs under a transaction-scoped advisory
/// lock, so instances starting together do not race on <c>CREATE</c>; a table that is complete issues no DDL, so a
/// role without <c>CREATE</c> rights can use tables an administrator created.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle (only WaitAsync is used), so there is nothing to dispose.")]
internal sealed class RecordTable
{
    public const string DomainColumn = "_domain";
    public const string IdColumn = "_id";

    private readonly SemaphoreSlim _createGate = new(1, 1);
    private readonly Dictionary<string, RecordColumn> _byName;
    private volatile bool _created;

    private RecordTable(string schema, EntitySchema entity)
    {
        Entity = entity;
        SchemaName = schema;
        Name = Sql.Quote(schema) + "." + Sql.Quote(entity.Name);
        var columns = new RecordColumn[entity.Properties.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var property = entity.Properties[i];
            columns[i] = new RecordColumn(property, i, entity.Key.Contains(property));
        }

        Columns = columns;
        KeyColumns = [.. entity.Key.Select(k => columns[IndexOf(entity, k)])];
        _byName = columns.ToDictionary(c => c.Property.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the entity stored in the table.</summary>
    public EntitySchema Entity { get; }

    /// <summary>Gets the schema name, unquoted.</summary>
    public string SchemaName { get; }

    /// <summary>Gets the quoted, schema-qualified table name.</summary>
    public string Name { get; }

    /// <summary>Gets the property columns, in the entity's property order.</summary>
    public IReadOnlyList<RecordColumn> Columns { get; }

    /// <summary>Gets the key columns, in key order; empty when the entity has no key.</summary>
    public IReadOnlyList<RecordColumn> KeyColumns { get; }

    /// <summary>Checks the names and builds the table of an entity.</summary>
    /// <exception cref="ArgumentException">A name cannot be a PostgreSQL identifier, or a property is named like a column of the sink's own; the message lists every problem.</exception>
    public static RecordTable For(string schema, EntitySchema entity)
    {
        var problems = new List<string>();
        if (Sql.IdentifierProblem("The schema name", schema) is { } schemaProblem)
        {
            problems.Add(schemaProblem);
        }

        if (Sql.IdentifierProblem("The entity name", entity.Name) is { } tableProblem)
        {
            problems.Add(tableProblem);
        }

        foreach (var property in entity.Properties)
        {
            if (Sql.IdentifierProblem("The property name", property.Name) is { } columnProblem)
            {
                problems.Add(columnProblem);
            }
            else if (string.Equals(property.Name, DomainColumn, StringComparison.OrdinalIgnoreCase) || string.Equals(property.Name, IdColumn, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"Property '{entity.Name}.{property.Name}' is named like a column the PostgreSQL record sink keeps for itself ({DomainColumn}, {IdColumn}); rename it.");
            }
        }

        return problems.Count == 0
            ? new RecordTable(schema, entity)
            : throw new ArgumentException($"Entity '{entity.Name}' cannot be stored in PostgreSQL: {string.Join(" ", problems)}", nameof(entity));
    }

    /// <summary>Finds the column of a property by name, ignoring case.</summary>
    /// <exception cref="ArgumentException">The entity has no property of that name.</exception>
    public RecordColumn Column(string property) =>
        _byName.TryGetValue(property, out var column)
            ? column
            : throw new ArgumentException($"Entity '{Entity.Name}' has no property '{property}'.", nameof(property));

    /// <summary>Creates the schema, the table and missing columns once per process; later calls return at once.</summary>
    public async ValueTask EnsureCreatedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _createGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_created)
            {
                return;
            }

            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

            await using var connectionScope = connection.ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1))", cancellationToken, "dataimport.records:" + SchemaName).ConfigureAwait(false);
            var existing = await ExistingColumnsAsync(connection, cancellationToken).ConfigureAwait(false);
            var ddl = existing is null ? CreateSql() : AddColumnsSql(existing);
            if (ddl is not null)
            {
                await ExecuteAsync(connection, ddl, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }
        finally
        {
            _createGate.Release();
        }
    }

    private static int IndexOf(EntitySchema entity, EntityProperty property)
    {
        for (var i = 0; i < entity.Properties.Count; i++)
        {
            if (ReferenceEquals(entity.Properties[i], property))
            {
                return i;
            }
        }

        throw new ArgumentException($"Key property '{property.Name}' is not a property of entity '{entity.Name}'.", nameof(property));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, string? parameter = null)
    {
        using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The table's column names, or <see langword="null"/> when the table (or its schema) does not exist.</summary>
    private async Task<HashSet<string>?> ExistingColumnsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            """
            SELECT a.attname FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = SchemaName });
        command.Parameters.Add(new NpgsqlParameter { Value = Entity.Name });
        var columns = new HashSet<string>(StringComparer.Ordinal);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns.Add(reader.GetString(0));
        }

        return columns.Count == 0 ? null : columns;
    }

    private string CreateSql()
    {
        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(Sql.Quote(SchemaName)).Append(";\n");
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Name).Append(" (\n  ")
            .Append(Sql.Quote(IdColumn)).Append(" bigint GENERATED ALWAYS AS IDENTITY,\n  ")
            .Append(Sql.Quote(DomainColumn)).Append(" text NOT NULL");
        foreach (var column in Columns)
        {
            sql.Append(",\n  ").Append(column.Name).Append(' ').Append(column.SqlType);
            if (column.Property.Required || column.IsKey)
            {
                sql.Append(" NOT NULL");
            }
        }

        // Paging reads a domain's records in write order; with a key, the key finds a domain's record.
        if (KeyColumns.Count > 0)
        {
            sql.Append(",\n  PRIMARY KEY (").Append(Sql.Quote(DomainColumn));
            foreach (var key in KeyColumns)
            {
                sql.Append(", ").Append(key.Name);
            }

            sql.Append("),\n  UNIQUE (").Append(Sql.Quote(DomainColumn)).Append(", ").Append(Sql.Quote(IdColumn)).Append(')');
        }
        else
        {
            sql.Append(",\n  PRIMARY KEY (").Append(Sql.Quote(DomainColumn)).Append(", ").Append(Sql.Quote(IdColumn)).Append(')');
        }

        return sql.Append("\n)").ToString();
    }

    private string? AddColumnsSql(HashSet<string> existing)
    {
        var missing = Columns.Where(c => !existing.Contains(c.Property.Name)).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        // Nullable: the table may hold rows already, which have no value for a new property.
        return "ALTER TABLE " + Name + " " + string.Join(", ", missing.Select(c => $"ADD COLUMN IF NOT EXISTS {c.Name} {c.SqlType}"));
    }
}
