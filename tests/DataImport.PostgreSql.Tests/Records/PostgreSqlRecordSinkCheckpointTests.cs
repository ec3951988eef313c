using System.Text;
using DataImport.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DataImport.PostgreSql.Tests.Records;

/// <summary>
/// The record sink with the PostgreSQL job store on the same database: each batch commits with the job's checkpoint.
/// A host stopped right after a commit is resumed by another exactly (counters, errors and records equal a clean run),
/// and a host that lost the job while paused cannot commit its batch.
/// </summary>
public sealed class PostgreSqlRecordSinkCheckpointTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly EntitySchema Customer = EntitySchemaJson.Parse(TestEngine.CustomerSchemaJson).Single();
    private static readonly int[] SeededRows = [5, 24, 33];

    // The same entity without a key: nothing to look a row up by, so only the checkpoint can tell a written row.
    private static readonly EntitySchema KeylessCustomer = EntitySchemaJson.Parse(TestEngine.CustomerSchemaJson.Replace("\"key\": [\"Email\"], ", "", StringComparison.Ordinal)).Single();

    private EntitySchema _entity = Customer;

    private NpgsqlDataSource _dataSource = null!;
    private readonly List<string> _schemas = [];

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            _dataSource = PostgresTestDatabase.CreateDataSource();
            for (var i = 0; i < 3; i++)
            {
                _schemas.Add(await PostgresTestDatabase.CreateSchemaAsync(_dataSource, "cp"));
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            foreach (var schema in _schemas)
            {
                await PostgresTestDatabase.DropSchemaAsync(_dataSource, schema);
            }

            await _dataSource.DisposeAsync();
        }
    }

    private string Records => _schemas[0];

    private string Jobs => _schemas[1];

    private string CleanRecords => _schemas[2];

    [PostgresFact]
    public async Task AddPostgreSqlRecordSink_WithUsePostgreSqlOnTheSameDatabase_CommitsCheckpointsInTheSinksTransaction()
    {
        var connectionString = PostgresTestDatabase.RequireConnectionString();
        await using var sameSource = Provider(b => b.AddPostgreSqlRecordSink(_dataSource).AddBackgroundJobs().UsePostgreSql(_dataSource));
        await using var sameDatabase = Provider(b => b.AddPostgreSqlRecordSink(connectionString).AddBackgroundJobs().UsePostgreSql(connectionString));
        await using var otherStore = Provider(b => b.AddPostgreSqlRecordSink(_dataSource).AddBackgroundJobs());
        var otherDatabase = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString;
        await using var otherServerDatabase = Provider(b => b.AddPostgreSqlRecordSink(_dataSource).AddBackgroundJobs().UsePostgreSql(otherDatabase));

        Shares(sameSource).Should().BeTrue();
        Shares(sameDatabase).Should().BeTrue();
        Shares(otherStore).Should().BeFalse();
        Shares(otherServerDatabase).Should().BeFalse();

        static ServiceProvider Provider(Action<DataImportBuilder> configure)
        {
            var services = new ServiceCollection();
            configure(services.AddDataImport().AddEntity(Customer));
            return services.BuildServiceProvider();
        }

        static bool Shares(ServiceProvider provider) =>
            provider.GetRequiredService<PostgreSqlRecordStore>().SharesDatabaseWith(provider.GetRequiredService<ImportJobStore>());
    }

    [PostgresTheory]
    [InlineData(ImportMode.CreateOnly)]
    [InlineData(ImportMode.CreateAndUpdate)]
    [InlineData(ImportMode.UpdateOnly)]
    public async Task Worker_HostStopsAfterTheSinksCommit_ResumedJobEqualsACleanRun(ImportMode mode)
    {
        var clean = await CleanRunAsync(mode);
        await SeedAsync(Records);

        var (job, first) = await HangAfterCommitThenResumeAsync(mode);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should()
            .Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.SkippedCount, clean.Job.ErrorCount));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(clean.Job.Errors.Select(e => (e.Row, e.Message)));
        (await ReadAllAsync(Records)).Should().Equal(clean.Records);
        await first.DisposeAsync();
    }

    [PostgresFact]
    public async Task Worker_KeylessEntity_HostStopsAfterTheSinksCommit_ResumedJobWritesNoRowTwice()
    {
        _entity = KeylessCustomer;
        _entity.HasKey.Should().BeFalse();
        var clean = await CleanRunAsync(ImportMode.CreateOnly);
        await SeedAsync(Records);

        // The checkpoint says batch 3's rows are written, so the host that resumes counts them without writing them again
        // (they cannot be looked up by key).
        var (job, first) = await HangAfterCommitThenResumeAsync(
            ImportMode.CreateOnly,
            async id => (await new PostgreSqlImportJobStore(_dataSource, Jobs).GetAsync(id, default))!.Checkpoint!.PendingWritten.Should().BeTrue());

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.SkippedCount, job.ErrorCount).Should().Be((clean.Job.CreatedCount, clean.Job.SkippedCount, clean.Job.ErrorCount));
        var records = await ReadAllAsync(Records);
        records.Should().HaveCount(SeededRows.Length + clean.Job.CreatedCount).And.Equal(clean.Records);
        await first.DisposeAsync();
    }

    /// <summary>
    /// Host 1 runs the job until batch 3 has committed (its rows and the checkpoint in one transaction) and hangs there
    /// for good; host 2 takes the job over and finishes it. Returns the finished job, and host 1 to release and dispose of
    /// once the test has looked (so it cannot touch the records before then).
    /// </summary>
    private async Task<(ImportJobDto Job, IAsyncDisposable First)> HangAfterCommitThenResumeAsync(ImportMode mode, Func<string, Task>? whileHung = null)
    {
        var gate = new Gate();
        var first = Host("host-1", T0, (n, stage) => n == 3 && stage == Stage.AfterCommit ? gate.HoldAsync() : Task.CompletedTask);
        var queued = await first.GetRequiredService<IImportJobService>().StartAsync(Request(mode));
        await first.GetRequiredService<IHostedService>().StartAsync(CancellationToken.None);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));
        if (whileHung is not null)
        {
            await whileHung(queued.Id);
        }

        await using var second = Host("host-2", T0.AddMinutes(2), (_, _) => Task.CompletedTask);
        var worker = second.GetRequiredService<IHostedService>();
        await worker.StartAsync(CancellationToken.None);
        var job = await WaitFinishedAsync(second, queued.Id);
        await worker.StopAsync(CancellationToken.None);
        return (job, new Released(gate, first));
    }

    /// <summary>A hung host that, when disposed of, is let go first.</summary>
    private sealed class Released(Gate gate, ServiceProvider host) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return host.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Worker_HostPausedBeforeItsWriteLosesTheJob_ItsBatchIsRolledBackAndNothingIsWrittenTwice()
    {
        var clean = await CleanRunAsync(ImportMode.CreateAndUpdate);
        await SeedAsync(Records);

        // The first host decides batch 3, then pauses before writing it; its lease runs out meanwhile.
        var gate = new Gate();
        var rolledBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Host("host-1", T0, (n, stage) => (n, stage) switch
        {
            (3, Stage.BeforeWrite) => gate.HoldAsync(),
            (_, Stage.Cancelled) => Task.Run(() => rolledBack.TrySetResult()),
            _ => Task.CompletedTask,
        });
        var queued = await first.GetRequiredService<IImportJobService>().StartAsync(Request(ImportMode.CreateAndUpdate));
        await first.GetRequiredService<IHostedService>().StartAsync(CancellationToken.None);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Another host takes the job over and finishes it.
        await using (var second = Host("host-2", T0.AddMinutes(2), (_, _) => Task.CompletedTask))
        {
            var worker = second.GetRequiredService<IHostedService>();
            await worker.StartAsync(CancellationToken.None);
            (await WaitFinishedAsync(second, queued.Id)).Status.Should().Be(ImportJobStatus.Completed);
            await worker.StopAsync(CancellationToken.None);
        }

        // The paused host wakes up and writes its batch 3: its creates collide with the rows the other host wrote (so the
        // batch is split and decided again, as updates), and the checkpoint save in each transaction finds the job taken,
        // so the transaction rolls back and the run stops instead of writing those rows a second time.
        gate.Release();
        await rolledBack.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await first.DisposeAsync();

        (await ReadAllAsync(Records)).Should().Equal(clean.Records);
        var job = await new PostgreSqlImportJobStore(_dataSource, Jobs).GetAsync(queued.Id, default);
        (job!.Job.CreatedCount, job.Job.UpdatedCount, job.Job.ErrorCount).Should()
            .Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.ErrorCount));
    }

    [PostgresFact]
    public async Task Worker_ServerEndsTheSinksConnectionMidWrite_AttemptEnds_ResumedJobEqualsACleanRun()
    {
        var clean = await CleanRunAsync(ImportMode.CreateAndUpdate);
        await SeedAsync(Records);

        // The host's connections carry a name of their own, so the server can end the sink's (as a restart does) without
        // touching the test's or another test's. Batch 3's write waits on a lock the test holds; the test ends that
        // connection while it waits, so the write fails in the middle, whatever the pool holds.
        var application = "dataimport-restart-" + Guid.NewGuid().ToString("N")[..12];
        await using var hostSource = new NpgsqlDataSourceBuilder(PostgresTestDatabase.RequireConnectionString()) { ConnectionStringBuilder = { ApplicationName = application } }.Build();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Host("host-1", T0, async (n, stage) =>
        {
            if (n == 3 && stage == Stage.BeforeWrite && reached.TrySetResult())
            {
                await locked.Task;
            }
        }, hostSource);
        var queued = await first.GetRequiredService<IImportJobService>().StartAsync(Request(ImportMode.CreateAndUpdate));
        var worker = first.GetRequiredService<IHostedService>();
        await worker.StartAsync(CancellationToken.None);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await using (var hold = await _dataSource.OpenConnectionAsync())
        {
            await using var transaction = await hold.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE \"{Records}\".\"Customer\" IN EXCLUSIVE MODE", hold, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            locked.SetResult();
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", hold, transaction);
            terminate.Parameters.Add(new NpgsqlParameter { Value = application });
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Convert.ToInt32(await terminate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, "batch 3's write waits on the table's lock");
                await Task.Delay(20);
            }

            await transaction.RollbackAsync();
        }

        // The attempt ends and keeps its lease; once the lease has run out (the clock moves on), the job is taken again.
        var time = (FakeTimeProvider)first.GetRequiredService<TimeProvider>();
        var jobs = new PostgreSqlImportJobStore(_dataSource, Jobs);
        var until = DateTime.UtcNow.AddSeconds(60);
        StoredImportJob stored;
        while (!(stored = (await jobs.GetAsync(queued.Id, default))!).Job.IsFinished && DateTime.UtcNow < until)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(20);
        }

        await worker.StopAsync(CancellationToken.None);
        await first.DisposeAsync();

        var job = stored.Job;
        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should()
            .Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.SkippedCount, clean.Job.ErrorCount));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(clean.Job.Errors.Select(e => (e.Row, e.Message)));
        (await ReadAllAsync(Records)).Should().Equal(clean.Records);
        stored.Attempts.Should().Be(2, "the attempt whose connection was ended stopped, and the next one finished the job");
    }

    // 50 rows in batches of 10: keys already in the table, a key repeated later in the file, rows that fail to convert.
    private static ImportRequest Request(ImportMode mode)
    {
        var csv = new StringBuilder("Name,Email,Balance\n");
        for (var i = 1; i <= 50; i++)
        {
            csv.Append("Name").Append(i).Append(',').Append(i == 27 ? "c21@x.com" : $"c{i}@x.com").Append(',').Append(i % 9 == 0 ? "oops" : $"{i}.5").Append('\n');
        }

        return new ImportRequest
        {
            Entity = "Customer",
            FileType = "csv",
            File = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())),
            FileName = "customers.csv",
            Mapping = TestEngine.Map("Name", "Email", "Balance"),
            Mode = mode,
            Domain = "acme",
            BatchSize = 10,
        };
    }

    private async Task SeedAsync(string schema)
    {
        var store = new PostgreSqlRecordStore(_dataSource, new PostgreSqlRecordSinkOptions { Schema = schema });
        await store.CreateSink(_entity, "acme").WriteAsync(
            [.. SeededRows.Select(i => PostgreSqlRecordSinkTests.Create(_entity, ("Name", "Old" + i), ("Email", $"c{i}@x.com"), ("Balance", 9m)))],
            CancellationToken.None);
    }

    private async Task<(ImportJobDto Job, IReadOnlyList<(object?, object?, object?)> Records)> CleanRunAsync(ImportMode mode)
    {
        await SeedAsync(CleanRecords);
        var services = new ServiceCollection();
        services.AddDataImport().AddEntity(_entity).AddPostgreSqlRecordSink(_dataSource, o => o.Schema = CleanRecords);
        await using var provider = services.BuildServiceProvider();
        var job = await provider.GetRequiredService<ImportEngine>().RunAsync(Request(mode));
        return (job, await ReadAllAsync(CleanRecords));
    }

    private async Task<IReadOnlyList<(object?, object?, object?)>> ReadAllAsync(string schema)
    {
        var page = await new PostgreSqlRecordStore(_dataSource, new PostgreSqlRecordSinkOptions { Schema = schema }).ListAsync(_entity, "acme", 0, 1000, CancellationToken.None);
        return [.. page.Records.Select(r => (r["Email"], r["Name"], r["Balance"])).OrderBy(r => (string)r.Item1!, StringComparer.Ordinal)];
    }

    /// <summary>A host with the PostgreSQL job store and record sink on one database; <paramref name="hook"/> runs at each stage of each batch.</summary>
    private ServiceProvider Host(string worker, DateTimeOffset now, Func<int, Stage, Task> hook, NpgsqlDataSource? dataSource = null)
    {
        dataSource ??= _dataSource;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        services.AddDataImport()
            .AddEntity(_entity)
            .AddPostgreSqlRecordSink(dataSource, o => o.Schema = Records)
            .AddSink<ImportRecord>((sp, context) => new HookedSink(
                sp.GetRequiredService<PostgreSqlRecordStore>().CreateSink(context.Entity, context.Domain, sp.GetService<ImportJobStore>()), hook))
            .AddBackgroundJobs(o =>
            {
                o.FilesPath = Path.Combine(Path.GetTempPath(), "dataimport-tests", "unused");
                o.DownloadLinkKey = "a test key that is long enough for hmac";
                o.WorkerId = worker;
                o.LeaseDuration = TimeSpan.FromMinutes(1);
                o.HeartbeatInterval = TimeSpan.FromSeconds(10);
            })
            .UsePostgreSql(dataSource, o => o.SchemaName = Jobs);
        return services.BuildServiceProvider();
    }

    private static async Task<ImportJobDto> WaitFinishedAsync(ServiceProvider host, string id)
    {
        var jobs = host.GetRequiredService<IImportJobService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await jobs.GetAsync("acme", id);
            if (job is { IsFinished: true })
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {id} did not finish; last seen: {job?.Status} {job?.Message}");
            }

            await Task.Delay(20);
        }
    }

    private enum Stage
    {
        BeforeWrite,
        AfterCommit,
        Cancelled,
    }

    /// <summary>The host's PostgreSQL sink, with a hook before each batch, after its commit, and when its write is cancelled (rolled back).</summary>
    private sealed class HookedSink(ImportSink<ImportRecord> inner, Func<int, Stage, Task> hook) : ImportSink<ImportRecord>
    {
        private int _batches;

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(keys, cancellationToken);

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A job's batch comes with its checkpoint.");

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, ImportJobCommit commit, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _batches);
            await hook(n, Stage.BeforeWrite);
            try
            {
                await inner.WriteAsync(batch, commit, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await hook(n, Stage.Cancelled);
                throw;
            }

            await hook(n, Stage.AfterCommit);
        }
    }

    private sealed class Gate
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public async Task HoldAsync()
        {
            _reached.TrySetResult();
            await _released.Task;
        }

        public void Release() => _released.TrySetResult();
    }
}
