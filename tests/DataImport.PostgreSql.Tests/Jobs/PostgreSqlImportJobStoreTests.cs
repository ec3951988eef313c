using DataImport.Tests.Jobs;
using Npgsql;

namespace DataImport.PostgreSql.Tests.Jobs;

/// <summary>The shared store contract, each test on a schema of its own that the first store call creates.</summary>
public sealed class PostgreSqlImportJobStoreTests : JobStoreContractTests, IAsyncLifetime
{
    private readonly NpgsqlDataSource? _dataSource = PostgresTestDatabase.ConnectionString is null ? null : PostgresTestDatabase.CreateDataSource();
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException(PostgresTestDatabase.Variable + " is not set.");

    protected override ImportJobStore CreateStore() => new PostgreSqlImportJobStore(DataSource, _schema);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_dataSource, _schema);
            await _dataSource.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task SaveCheckpointAsync_InTheSinksTransaction_IsKeptOnCommitAndDroppedOnRollback()
    {
        var store = (PostgreSqlImportJobStore)CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);
        var committed = new ImportJobCheckpoint { LastRow = 11, Created = 10, NotImportedBytes = 42 };
        var rolledBack = new ImportJobCheckpoint { LastRow = 21, Created = 20, NotImportedBytes = 84 };

        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                (await store.SaveCheckpointAsync(connection, transaction, job.Id, "w1", committed, default)).Should().BeTrue();
                (await store.GetAsync(job.Id, default))!.Checkpoint.Should().BeNull("the sink has not committed yet");
                await transaction.CommitAsync();
            }

            await using (var transaction = await connection.BeginTransactionAsync())
            {
                (await store.SaveCheckpointAsync(connection, transaction, job.Id, "w1", rolledBack, default)).Should().BeTrue();
                await transaction.RollbackAsync();
            }
        }

        (await store.GetAsync(job.Id, default))!.Checkpoint.Should().BeEquivalentTo(committed);
    }

    [PostgresFact]
    public async Task SaveCheckpointAsync_WorkerLostTheJob_WritesNothingAndSaysSo()
    {
        var store = (PostgreSqlImportJobStore)CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);
        await store.ClaimNextAsync("w2", Now.AddMinutes(2), Now.AddMinutes(3), default);

        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var saved = await store.SaveCheckpointAsync(connection, transaction, job.Id, "w1", new ImportJobCheckpoint { LastRow = 99 }, default);
        await transaction.CommitAsync();

        saved.Should().BeFalse();
        (await store.GetAsync(job.Id, default))!.Checkpoint.Should().BeNull();
    }

    [PostgresFact]
    public async Task GetAsync_TimesOfTheCallersClock_AreStoredAsTheyWereGiven()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        var now = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2));

        await store.ClaimNextAsync("w1", now, now.AddMinutes(1), default);

        var stored = await store.GetAsync(job.Id, default);
        stored!.Job.LastHeartbeat.Should().Be(now);
        stored.LeaseExpires.Should().Be(now.AddMinutes(1));
        stored.Job.CreatedDate.Should().Be(Now);
    }
}
