using System.Security.Cryptography;
using DataImport.PostgreSql;
using Npgsql;

namespace DataImport.Samples.WebApi;

/// <summary>
/// The download-link key of instances that share PostgreSQL and were given none (<c>DataImport:DownloadLinkKey</c>): the
/// first instance stores a random key in the jobs schema and every instance uses it, so a link signed by one instance is
/// accepted by the others. A configured key always wins, and is what a deployment should use (a secret from its secret
/// store, not a row anyone with the database can read); this keeps the sample working when several instances are
/// started without one.
/// </summary>
internal static class SharedLinkKey
{
    public static string GetOrCreate(NpgsqlDataSource dataSource, string schema)
    {
        var table = $"\"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\".sample_download_link_key";

        // The jobs schema is the package's: any call of its job store creates or migrates it, under the package's own lock,
        // so an instance that is migrating it while this one starts cannot collide with this table's creation.
        new PostgreSqlImportJobStore(dataSource, schema).GetAsync("no-such-job", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        // Instances starting together: one creates the table and the key; the others wait, then read it.
        Execute(connection, "SELECT pg_advisory_xact_lock(hashtext('dataimport-sample-download-link-key'))");
        Execute(connection, $"CREATE TABLE IF NOT EXISTS {table} (id integer PRIMARY KEY, key text NOT NULL)");
        using (var insert = new NpgsqlCommand($"INSERT INTO {table} (id, key) VALUES (1, @key) ON CONFLICT (id) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
            insert.ExecuteNonQuery();
        }

        using var select = new NpgsqlCommand($"SELECT key FROM {table} WHERE id = 1", connection);
        var key = (string)select.ExecuteScalar()!;
        transaction.Commit();
        return key;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
