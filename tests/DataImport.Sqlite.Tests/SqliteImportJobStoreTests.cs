using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite.Tests;

public sealed class SqliteImportJobStoreTests : JobStoreContractTests, IDisposable
{
    private readonly string _folder = JobTestHost.NewFolder();

    public SqliteImportJobStoreTests()
    {
        Directory.CreateDirectory(_folder);
    }

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "jobs.db")}";

    protected override ImportJobStore CreateStore() => new SqliteImportJobStore(ConnectionString);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ClaimNextAsync_TwoStoresOnOneFileRacing_ClaimEachJobOnce()
    {
        var ids = new List<string>();
        var setup = CreateStore();
        for (var i = 0; i < 40; i++)
        {
            var job = Queued(i % 2 == 0 ? "acme" : "globex");
            ids.Add(job.Id);
            await setup.CreateAsync(job, default);
        }

        async Task<List<string>> ClaimAll(string worker)
        {
            var store = CreateStore();
            var mine = new List<string>();
            while (await store.ClaimNextAsync(worker, Now, Now.AddMinutes(5), default) is { } claimed)
            {
                mine.Add(claimed.Id);
            }

            return mine;
        }

        var results = await Task.WhenAll(Task.Run(() => ClaimAll("w1")), Task.Run(() => ClaimAll("w2")));

        results.SelectMany(r => r).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(ids);
    }

    [Fact]
    public async Task Open_NewFile_UsesWalJournal()
    {
        await CreateStore().GetAsync("none", default);

        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        (await command.ExecuteScalarAsync()).Should().Be("wal");
    }
}
