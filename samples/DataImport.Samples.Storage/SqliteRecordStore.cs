using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace DataImport.Samples.Storage;

/// <summary>
/// Keeps the records of run-time entities in an embedded SQLite database: a real table per entity, a column per
/// property, a <c>_domain</c> column so tenants never see each other's rows, and a unique index on the key.
/// </summary>
public sealed class SqliteRecordStore : ImportRecordLister
{
    private readonly string _connectionString;
    private readonly HashSet<string> _ready = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public SqliteRecordStore(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
    }

    /// <summary>Creates the sink that writes one domain's records of an entity.</summary>
    public ImportSink<ImportRecord> CreateSink(EntitySchema entity, string? domain) => new SqliteRecordSink(this, entity, domain ?? string.Empty);

    /// <summary>Lists a page of one domain's records of an entity, oldest first; each record is a dictionary of property name to value.</summary>
    public override async ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        await using var connection = await OpenAsync(entity, cancellationToken).ConfigureAwait(false);
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM {Table(entity)} WHERE _domain = $d";
        count.Parameters.AddWithValue("$d", domain ?? string.Empty);
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {string.Join(", ", entity.Properties.Select(p => Quote(p.Name)))} FROM {Table(entity)} WHERE _domain = $d ORDER BY _id LIMIT $limit OFFSET $offset";
        select.Parameters.AddWithValue("$d", domain ?? string.Empty);
        select.Parameters.AddWithValue("$limit", take);
        select.Parameters.AddWithValue("$offset", skip);
        var records = new List<Dictionary<string, object?>>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < entity.Properties.Count; i++)
            {
                record[entity.Properties[i].Name] = reader.IsDBNull(i) ? null : FromColumn(entity.Properties[i], reader.GetValue(i));
            }

            records.Add(record);
        }

        return new ImportRecordPage { Records = records, Total = total };
    }

    internal async Task<SqliteConnection> OpenAsync(EntitySchema entity, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        bool ready;
        lock (_gate)
        {
            ready = _ready.Contains(entity.Name);
        }

        if (!ready)
        {
            await using var command = connection.CreateCommand();
            var columns = string.Join(", ", entity.Properties.Select(p => $"{Quote(p.Name)} {ColumnType(p.Type)}"));
            var sql = new StringBuilder($"PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS {Table(entity)} (_id INTEGER PRIMARY KEY AUTOINCREMENT, _domain TEXT NOT NULL, {columns});");
            if (entity.HasKey)
            {
                sql.Append(CultureInfo.InvariantCulture, $" CREATE UNIQUE INDEX IF NOT EXISTS {Quote("ux_" + entity.Name)} ON {Table(entity)} (_domain, {string.Join(", ", entity.Key.Select(k => Quote(k.Name)))});");
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _ready.Add(entity.Name);
            }
        }

        return connection;
    }

    internal static string Table(EntitySchema entity) => Quote("records_" + entity.Name);

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal static object ToColumn(object? value) => value switch
    {
        null => DBNull.Value,
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        Guid g => g.ToString(),
        bool b => b ? 1 : 0,
        _ => value,
    };

    private static object? FromColumn(EntityProperty property, object value) => property.Type switch
    {
        PropertyType.Decimal => decimal.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
        PropertyType.Bool => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        PropertyType.Int => Convert.ToInt32(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static string ColumnType(PropertyType type) => type switch
    {
        PropertyType.Int or PropertyType.Long or PropertyType.Bool => "INTEGER",
        PropertyType.Double => "REAL",
        _ => "TEXT",
    };
}
