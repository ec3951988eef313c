using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Sqlite.CrashHost;

/// <summary>A customer row of the crash test's records database.</summary>
public sealed class Person
{
    public string? Email { get; set; }

    public string? Name { get; set; }

    public decimal? Balance { get; set; }
}

/// <summary>The import set-up shared by the crash host process and the test that takes its job over.</summary>
public static class CrashHostSetup
{
    public const string LinkKey = "crash test key that is long enough for hmac";

    public static DataImportBuilder Configure(IServiceCollection services, string folder, string workerId, UpsertSink sink) =>
        services.AddDataImport()
            .AddEntity<Person>(e => e.Key(p => p.Email).Required(p => p.Name))
            .AddSink<Person>((_, _) => sink)
            .AddBackgroundJobs(o =>
            {
                o.FilesPath = Path.Combine(folder, "files");
                o.WorkerId = workerId;
                o.LeaseDuration = TimeSpan.FromSeconds(2);
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
                o.PollInterval = TimeSpan.FromMilliseconds(100);
                o.DownloadLinkKey = LinkKey;
            })
            .UseSqliteJobStore($"Data Source={Path.Combine(folder, "jobs.db")}");
}

/// <summary>
/// Upserts people by e-mail into a real SQLite table, one transaction per batch, counting how often each row is
/// written. Before committing batch <see cref="MarkBatch"/> it drops a marker file and waits, so a test can kill the
/// process at a known point inside a batch.
/// </summary>
public sealed class UpsertSink : ImportSink<Person>
{
    private readonly string _connectionString;
    private readonly string _folder;
    private int _batches;

    public UpsertSink(string folder)
    {
        _folder = folder;
        _connectionString = $"Data Source={Path.Combine(folder, "records.db")}";
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS people (email TEXT PRIMARY KEY, name TEXT, balance TEXT, writes INTEGER NOT NULL)";
        command.ExecuteNonQuery();
    }

    public int MarkBatch { get; init; } = int.MaxValue;

    /// <summary>Gets a value indicating whether the marker is dropped after batch <see cref="MarkBatch"/> commits instead of before.</summary>
    public bool MarkAfterCommit { get; init; }

    public static string MarkerPath(string folder) => Path.Combine(folder, "in-marked-batch");

    public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<ImportKey>();
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var key in keys)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM people WHERE email = $e";
            command.Parameters.AddWithValue("$e", (string)key[0]!);
            if (await command.ExecuteScalarAsync(cancellationToken) is not null)
            {
                found.Add(key);
            }
        }

        return found;
    }

    public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Person>> batch, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var write in batch)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO people (email, name, balance, writes) VALUES ($e, $n, $b, 1)
                ON CONFLICT(email) DO UPDATE SET name = excluded.name, balance = excluded.balance, writes = writes + 1
                """;
            command.Parameters.AddWithValue("$e", write.Record.Email);
            command.Parameters.AddWithValue("$n", (object?)write.Record.Name ?? DBNull.Value);
            command.Parameters.AddWithValue("$b", write.Record.Balance?.ToString(CultureInfo.InvariantCulture) ?? (object)DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var marked = Interlocked.Increment(ref _batches) == MarkBatch;
        if (marked && !MarkAfterCommit)
        {
            // The batch is written but not committed: the test kills the process now.
            await File.WriteAllTextAsync(MarkerPath(_folder), "in batch", cancellationToken);
            await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (marked && MarkAfterCommit)
        {
            // The batch is committed but its checkpoint is not saved: the test kills the process now.
            await File.WriteAllTextAsync(MarkerPath(_folder), "after batch", cancellationToken);
            await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);
        }
    }
}
