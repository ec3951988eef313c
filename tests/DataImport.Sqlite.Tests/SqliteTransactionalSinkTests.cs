using System.Data.Common;
using System.Text;
using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Sqlite.Tests;

/// <summary>
/// A sink whose table lives in the job store's own SQLite file saves the job's checkpoint in its write transaction
/// (<see cref="ImportJobCommit.SaveAsync(DbTransaction, CancellationToken)"/>): a host stopped after a commit is resumed
/// exactly, and a host that lost the job while paused cannot commit its batch at all.
/// </summary>
public sealed class SqliteTransactionalSinkTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public SqliteTransactionalSinkTests() => Directory.CreateDirectory(_folder);

    private string JobsDb => $"Data Source={Path.Combine(_folder, "jobs.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // 50 rows in batches of 10: keys already in the table, a key repeated later in the file, rows that fail to convert.
    private static ImportRequest Request(ImportMode mode, Stream? notImported = null)
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
            NotImportedOutput = notImported,
        };
    }

    private static readonly int[] SeededRows = [5, 24, 33];

    private static async Task<TransactionalCustomerSink> SeededSinkAsync(string connectionString)
    {
        var sink = new TransactionalCustomerSink(connectionString);
        await sink.CreateTableAsync();
        await sink.WriteAsync([.. SeededRows.Select(i => new ImportWrite<Customer>
        {
            Kind = ImportWriteKind.Create,
            Record = new Customer { Name = "Old" + i, Email = $"c{i}@x.com", Balance = 9m },
            Row = 0,
            MappedProperties = ["Name", "Email", "Balance"],
        })], CancellationToken.None);
        sink.Commits = 0;
        return sink;
    }

    private async Task<(ImportJobDto Job, IReadOnlyList<(string, string?, decimal?)> Records)> CleanRunAsync(ImportMode mode)
    {
        var sink = await SeededSinkAsync($"Data Source={Path.Combine(_folder, "clean.db")}");
        var job = await TestEngine.Customers().RunAsync(Request(mode), sink);
        return (job, await sink.ReadAllAsync());
    }

    private JobTestHost Host(string worker, DateTimeOffset now, TransactionalCustomerSink sink) => new(
        new FakeTimeProvider(now),
        Path.Combine(_folder, "files"),
        sink,
        o =>
        {
            o.WorkerId = worker;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
        },
        b => b.UseJobStore(_ => new SqliteImportJobStore(JobsDb)));

    [Theory]
    [InlineData(ImportMode.CreateOnly)]
    [InlineData(ImportMode.CreateAndUpdate)]
    [InlineData(ImportMode.UpdateOnly)]
    public async Task Worker_HostStopsAfterTheSinksCommit_ResumedJobEqualsACleanRun(ImportMode mode)
    {
        var clean = await CleanRunAsync(mode);

        // The first host commits batch 3 (its rows and the checkpoint together), then hangs for good.
        var firstSink = await SeededSinkAsync(JobsDb);
        var gate = new SqliteExactResumeTests.StopGate();
        firstSink.AfterCommit = n => n == 3 ? gate.HoldAsync() : Task.CompletedTask;
        var first = Host("host-1", T0, firstSink);
        var queued = await first.Jobs.StartAsync(Request(mode));
        await first.StartWorkerAsync();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        var secondSink = new TransactionalCustomerSink(JobsDb);
        await using var second = Host("host-2", T0.AddMinutes(2), secondSink);
        await second.StartWorkerAsync();
        var job = await second.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should()
            .Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.SkippedCount, clean.Job.ErrorCount));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(clean.Job.Errors.Select(e => (e.Row, e.Message)));
        (await secondSink.ReadAllAsync()).Should().Equal(clean.Records);

        gate.Release();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Worker_HostPausedBeforeItsWriteLosesTheJob_ItsBatchIsRolledBackAndNothingIsWrittenTwice()
    {
        var clean = await CleanRunAsync(ImportMode.CreateAndUpdate);

        // The first host decides batch 3, then pauses before writing it; its lease runs out meanwhile.
        var firstSink = await SeededSinkAsync(JobsDb);
        var gate = new SqliteExactResumeTests.StopGate();
        firstSink.BeforeWrite = n => n == 3 ? gate.HoldAsync() : Task.CompletedTask;
        var first = Host("host-1", T0, firstSink);
        var queued = await first.Jobs.StartAsync(Request(ImportMode.CreateAndUpdate));
        await first.StartWorkerAsync();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Another host takes the job over and finishes it.
        var secondSink = new TransactionalCustomerSink(JobsDb);
        await using (var second = Host("host-2", T0.AddMinutes(2), secondSink))
        {
            await second.StartWorkerAsync();
            (await second.WaitFinishedAsync("acme", queued.Id)).Status.Should().Be(ImportJobStatus.Completed);
        }

        // The paused host wakes up and writes its batch 3: the checkpoint save in its transaction finds the job gone,
        // so the transaction rolls back instead of writing those rows a second time.
        gate.Release();
        await firstSink.RolledBack.WaitAsync(TimeSpan.FromSeconds(60));
        await first.DisposeAsync();

        var records = await new TransactionalCustomerSink(JobsDb).ReadAllAsync();
        records.Should().Equal(clean.Records);
        var job = await new SqliteImportJobStore(JobsDb).GetAsync(queued.Id, default);
        (job!.Job.CreatedCount, job.Job.UpdatedCount, job.Job.ErrorCount).Should()
            .Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.ErrorCount));
    }

    /// <summary>Customers in a table of the given SQLite file; with a job, the checkpoint commits in the same transaction.</summary>
    private sealed class TransactionalCustomerSink(string connectionString) : ImportSink<Customer>
    {
        private readonly TaskCompletionSource _rolledBack = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _batches;

        public int Commits { get; set; }

        public Func<int, Task> BeforeWrite { get; set; } = _ => Task.CompletedTask;

        public Func<int, Task> AfterCommit { get; set; } = _ => Task.CompletedTask;

        public Task RolledBack => _rolledBack.Task;

        public async Task CreateTableAsync()
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE IF NOT EXISTS customers (email TEXT PRIMARY KEY, name TEXT, balance TEXT)";
            await command.ExecuteNonQueryAsync();
        }

        public async Task<IReadOnlyList<(string, string?, decimal?)>> ReadAllAsync()
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT email, name, balance FROM customers ORDER BY email";
            var rows = new List<(string, string?, decimal?)>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : decimal.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture)));
            }

            return rows;
        }

        public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            var found = new HashSet<ImportKey>();
            foreach (var key in keys)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1 FROM customers WHERE email = @email";
                command.Parameters.AddWithValue("@email", (string)key[0]!);
                if (await command.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    found.Add(key);
                }
            }

            return found;
        }

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken) =>
            WriteInTransactionAsync(batch, null, cancellationToken);

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, ImportJobCommit commit, CancellationToken cancellationToken) =>
            WriteInTransactionAsync(batch, commit, cancellationToken);

        private async ValueTask WriteInTransactionAsync(IReadOnlyList<ImportWrite<Customer>> batch, ImportJobCommit? commit, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _batches);
            await BeforeWrite(n);
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                foreach (var write in batch)
                {
                    await using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = write.Kind == ImportWriteKind.Create
                        ? "INSERT INTO customers (email, name, balance) VALUES (@email, @name, @balance)"
                        : "UPDATE customers SET name = @name, balance = @balance WHERE email = @email";
                    command.Parameters.AddWithValue("@email", write.Record.Email);
                    command.Parameters.AddWithValue("@name", (object?)write.Record.Name ?? DBNull.Value);
                    command.Parameters.AddWithValue("@balance", write.Record.Balance is { } b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : DBNull.Value);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                if (commit is not null)
                {
                    await commit.SaveAsync(transaction, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _rolledBack.TrySetResult();
                throw;
            }

            Commits++;
            await AfterCommit(n);
        }
    }
}
