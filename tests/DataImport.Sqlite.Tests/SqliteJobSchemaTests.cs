using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite.Tests;

/// <summary>A database file written before the schema had a version is migrated when a store opens it.</summary>
public sealed class SqliteJobSchemaTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);

    // The table as the store created it before the schema was versioned (user_version 0).
    private const string OldSchema = """
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
        """;

    private readonly string _folder = JobTestHost.NewFolder();

    public SqliteJobSchemaTests() => Directory.CreateDirectory(_folder);

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "jobs.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static ImportJobDto Job(string id, ImportJobStatus status) => new()
    {
        Id = id, Entity = "Customer", Domain = "acme", Status = status, CreatedDate = Now, UpdatedAt = Now, FileName = "customers.csv", CreatedCount = 10,
    };

    private async Task CreateOldFileAsync()
    {
        var checkpoint = new ImportJobCheckpoint { LastRow = 11, Created = 10, Updated = 0, Skipped = 0, Errors = 0, TotalItems = 30, NotImportedBytes = 42, RowErrors = [] };
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = OldSchema + """
            INSERT INTO import_jobs (id, domain, status, created_at, completed_at, job, upload_file, checkpoint, worker_id, lease_expires, last_heartbeat, attempts, claim_seq)
            VALUES ('done', 'acme', 2, @now, @now, @done, 'upload-done', NULL, NULL, NULL, NULL, 1, 1),
                   ('running', 'acme', 1, @now, NULL, @running, 'upload-running', @checkpoint, 'w1', @lease, @now, 1, 2),
                   ('queued', 'acme', 0, @now, NULL, @queued, 'upload-queued', NULL, NULL, NULL, NULL, 0, NULL);
            """;
        command.Parameters.AddWithValue("@now", Now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@lease", Now.AddMinutes(1).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@done", ImportJobRowFormat.WriteJob(Job("done", ImportJobStatus.Completed) with { CompletedDate = Now }));
        command.Parameters.AddWithValue("@running", ImportJobRowFormat.WriteJob(Job("running", ImportJobStatus.InProgress)));
        command.Parameters.AddWithValue("@queued", ImportJobRowFormat.WriteJob(Job("queued", ImportJobStatus.Queued)));
        command.Parameters.AddWithValue("@checkpoint", ImportJobRowFormat.WriteCheckpoint(checkpoint));
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Open_FileOfTheUnversionedSchema_IsMigratedAndItsJobsStillRead()
    {
        await CreateOldFileAsync();
        SqliteConnection.ClearAllPools();
        var store = new SqliteImportJobStore(ConnectionString);

        var listed = await store.ListAsync("acme", 0, 10, default);
        var running = await store.GetAsync("running", default);

        listed.Select(j => (j.Id, j.Status, j.UploadFileId)).Should().Equal(
            ("queued", ImportJobStatus.Queued, "upload-queued"), ("running", ImportJobStatus.InProgress, "upload-running"), ("done", ImportJobStatus.Completed, "upload-done"));
        running!.WorkerId.Should().Be("w1");
        running.LeaseExpires.Should().Be(Now.AddMinutes(1));
        running.Checkpoint!.LastRow.Should().Be(11);
        running.Job.CreatedCount.Should().Be(10);
        running.Job.LastHeartbeat.Should().Be(Now);
        (await ScalarAsync("PRAGMA user_version")).Should().Be(2);
        (await ScalarAsync("SELECT COUNT(*) FROM pragma_table_info('import_jobs') WHERE name IN ('job', 'checkpoint')")).Should().Be(0, "the documents moved to their own table");
    }

    [Fact]
    public async Task Open_FileOfTheUnversionedSchema_KeepsClaimOrderLeasesAndNewJobs()
    {
        await CreateOldFileAsync();
        var store = new SqliteImportJobStore(ConnectionString);

        var claimed = await store.ClaimNextAsync("w2", Now, Now.AddMinutes(1), default);
        (await store.ClaimNextAsync("w2", Now, Now.AddMinutes(1), default)).Should().BeNull("w1's lease on the running job still holds");
        var takenOver = await store.ClaimNextAsync("w2", Now.AddMinutes(2), Now.AddMinutes(3), default);
        await store.CreateAsync(new StoredImportJob { Job = Job("new", ImportJobStatus.Queued), UploadFileId = "upload-new" }, default);

        claimed!.Id.Should().Be("queued");
        claimed.Attempts.Should().Be(1);
        takenOver!.Id.Should().Be("running");
        takenOver.Attempts.Should().Be(2);
        takenOver.Checkpoint!.LastRow.Should().Be(11);
        (await store.ListAsync("acme", 0, 1, default)).Single().Id.Should().Be("new", "sequence numbers continue after the migrated jobs");
        (await store.DeleteFinishedAsync(Now.AddDays(1), default)).Select(j => j.Id).Should().Equal("done");
    }

    [Fact]
    public async Task Open_TwoStoresMigratingOneOldFileAtOnce_BothReadTheJobs()
    {
        await CreateOldFileAsync();
        SqliteConnection.ClearAllPools();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await new SqliteImportJobStore(ConnectionString).ListAsync("acme", 0, 10, default))));

        results.Should().AllSatisfy(jobs => jobs.Select(j => j.Id).Should().Equal("queued", "running", "done"));
        (await ScalarAsync("SELECT COUNT(*) FROM import_job_documents")).Should().Be(3);
    }

    [Fact]
    public async Task Open_FileOfANewerSchema_Throws()
    {
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            await command.ExecuteNonQueryAsync();
        }

        var act = async () => await new SqliteImportJobStore(ConnectionString).GetAsync("none", default);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*version 99*");
    }
}
