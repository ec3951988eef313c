using System.Text;
using DataImport.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.PostgreSql.Tests.Records;

/// <summary>Imports through the engine into the PostgreSQL record sink, registered with AddPostgreSqlRecordSink: counts, rows landed, row errors.</summary>
public sealed class PostgreSqlRecordSinkImportTests
{
    private static readonly EntitySchema Customer = EntitySchemaJson.Parse(TestEngine.CustomerSchemaJson).Single();

    private const string Seed = "Name,Email,Balance,Born\nOld A,a@x.com,1,1990-01-01\nOld B,b@x.com,2,1990-01-02\n";

    [PostgresTheory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task Import_CreateAndUpdate_CountsAndLandsAsIfRowByRow(int batchSize)
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.ImportAsync(Customer, Seed);

        // Existing a@x.com updated; c created then updated twice (in one batch or across batches); a bad balance; b untouched.
        var (job, notImported) = await db.ImportAsync(
            Customer,
            "Name,Email,Balance\nNew A,a@x.com,10\nC1,c@x.com,3\nC2,c@x.com,\nBad,d@x.com,lots\nC3,c@x.com,33\nE,e@x.com,5\n",
            ImportMode.CreateAndUpdate,
            batchSize: batchSize);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should().Be((2, 3, 0, 1));
        notImported.Should().Contain("Bad,d@x.com,lots,5,");
        var records = await db.AllAsync(Customer);
        records.Select(r => (r["Email"], r["Name"], r["Balance"], r["Born"])).Should().Equal(
            ("a@x.com", "New A", 10m, new DateOnly(1990, 1, 1)),
            ("b@x.com", "Old B", 2m, new DateOnly(1990, 1, 2)),
            ("c@x.com", "C3", 33m, null),
            ("e@x.com", "E", 5m, null));
    }

    [PostgresTheory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task Import_UpdateOnly_UpdatesTheMappedColumnsAndSkipsUnknownKeys(int batchSize)
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.ImportAsync(Customer, Seed);

        var (job, notImported) = await db.ImportAsync(
            Customer, "Email,Balance\nb@x.com,20\nz@x.com,9\na@x.com,\nb@x.com,21\n", ImportMode.UpdateOnly, batchSize: batchSize);

        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should().Be((0, 3, 1, 0));
        notImported.Should().Contain("z@x.com,9,3,");
        (await db.AllAsync(Customer)).Select(r => (r["Email"], r["Name"], r["Balance"])).Should().Equal(
            ("a@x.com", "Old A", null),
            ("b@x.com", "Old B", 21m));
    }

    [PostgresFact]
    public async Task Import_ValueLongerThanTheTablesColumn_IsThatRowsErrorAndTheOthersLand()
    {
        await using var db = await RecordDatabase.CreateAsync();

        // The table was made when Name allowed 5 characters; the schema allows 100 now, the column still 5.
        var before = new EntitySchemaBuilder("Customer").Property("Name", PropertyType.String, required: true, maxLength: 5).Property("Email", PropertyType.String).Key("Email").Build();
        await db.Store.EnsureTableAsync(before, CancellationToken.None);

        var (job, notImported) = await db.ImportAsync(Customer, "Name,Email\nAda,a@x.com\nBartholomew,b@x.com\nCy,c@x.com\n", batchSize: 100);

        (job.CreatedCount, job.ErrorCount).Should().Be((2, 1));
        var error = job.Errors.Should().ContainSingle().Subject;
        (error.Row, error.Code, error.Message).Should().Be((3, ImportProblemCodes.NotSaved, "not saved: Name: 11 characters is longer than the 5 its database column allows"));
        notImported.Should().Contain("Bartholomew,b@x.com,3,not saved: Name: 11 characters is longer than the 5 its database column allows");
        (await db.AllAsync(Customer)).Select(r => r["Name"]).Should().Equal("Ada", "Cy");
    }

    [PostgresFact]
    public async Task Import_RowBreakingAConstraintTheHostAdded_IsThatRowsErrorNamingTheRule()
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.Store.EnsureTableAsync(Customer, CancellationToken.None);
        await db.ExecuteAsync($"ALTER TABLE {db.Table(Customer)} ADD CONSTRAINT balance_not_negative CHECK (\"Balance\" >= 0)");

        var (job, _) = await db.ImportAsync(Customer, "Name,Email,Balance\nA,a@x.com,1\nB,b@x.com,-1\nC,c@x.com,3\nD,d@x.com,-4\n", batchSize: 100);

        (job.CreatedCount, job.ErrorCount).Should().Be((2, 2));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(
            (3, "not saved: the record breaks the database rule 'balance_not_negative'"),
            (5, "not saved: the record breaks the database rule 'balance_not_negative'"));
        (await db.AllAsync(Customer)).Select(r => r["Email"]).Should().Equal("a@x.com", "c@x.com");
    }

    [PostgresFact]
    public async Task Import_EntityWithoutAKey_CreatesEveryRowEachTime()
    {
        var note = new EntitySchemaBuilder("Note").Property("Text", PropertyType.String, required: true).Property("On", PropertyType.Date).Build();
        await using var db = await RecordDatabase.CreateAsync();

        await db.ImportAsync(note, "Text,On\nfirst,2024-01-01\nsecond,\n", batchSize: 1);
        var (again, _) = await db.ImportAsync(note, "Text,On\nfirst,2024-01-01\n");

        again.CreatedCount.Should().Be(1);
        (await db.AllAsync(note)).Select(r => (r["Text"], r["On"])).Should().Equal(("first", new DateOnly(2024, 1, 1)), ("second", null), ("first", new DateOnly(2024, 1, 1)));
    }

    [PostgresFact]
    public void AddPostgreSqlRecordSink_SchemaNameOrConnectionStringUnusable_ThrowsWhenRegistered()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var builder = services.AddDataImport();

        var longSchema = () => builder.AddPostgreSqlRecordSink(PostgresTestDatabase.RequireConnectionString(), o => o.Schema = new string('s', 64));
        var malformed = () => builder.AddPostgreSqlRecordSink("Host=localhost;Nonsense Key=1");

        longSchema.Should().Throw<ArgumentException>().WithMessage("PostgreSqlRecordSinkOptions.Schema 'sss*' is 64 bytes long in UTF-8; PostgreSQL names hold at most 63.*");
        malformed.Should().Throw<ArgumentException>();
    }

    [PostgresFact]
    public async Task Import_TwoDomains_NeverSeeEachOthersRecords()
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.ImportAsync(Customer, "Name,Email,Balance\nAcme A,a@x.com,1\n", domain: "acme");

        var (other, _) = await db.ImportAsync(Customer, "Name,Email,Balance\nOther A,a@x.com,2\nOther B,b@x.com,3\n", ImportMode.CreateAndUpdate, domain: "other");
        var (acmeUpdate, _) = await db.ImportAsync(Customer, "Email,Balance\nb@x.com,9\na@x.com,5\n", ImportMode.UpdateOnly, domain: "acme");

        (other.CreatedCount, other.UpdatedCount).Should().Be((2, 0));
        (acmeUpdate.UpdatedCount, acmeUpdate.SkippedCount).Should().Be((1, 1));
        (await db.AllAsync(Customer, "acme")).Select(r => (r["Name"], r["Balance"])).Should().Equal(("Acme A", 5m));
        (await db.AllAsync(Customer, "other")).Select(r => (r["Name"], r["Balance"])).Should().Equal(("Other A", 2m), ("Other B", 3m));
    }

    [PostgresTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_SeveralBatches_StartsEachNextCopyAheadAndLeavesNoneOpenWhenTheRunEnds(bool cancelled)
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.Store.EnsureTableAsync(Customer, CancellationToken.None);
        var services = new ServiceCollection();
        services.AddDataImport(o => o.ProgressInterval = TimeSpan.Zero).AddEntity(Customer);
        await using var provider = services.BuildServiceProvider();
        var csv = "Name,Email,Balance\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"N{i},n{i}@x.com,{i}\n"));
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        using var cancellation = new CancellationTokenSource();
        var openAfterFirstBatch = -1;

        // Called on the importing thread once each batch of 100 is committed: the COPY of the next batch was started while
        // the server inserted this one, and waits for its rows on a connection of its own.
        var progress = new Inline(job =>
        {
            if (job.ProcessedItems == 100 && openAfterFirstBatch < 0)
            {
                openAfterFirstBatch = WaitForOpenCopiesAsync(db, 1).GetAwaiter().GetResult();
            }

            if (cancelled && job.ProcessedItems == 200)
            {
                cancellation.Cancel();
            }
        });
        var sink = db.Store.CreateSink(Customer, domain: null);

        var result = await provider.GetRequiredService<ImportEngine>().RunAsync(
            new ImportRequest { Entity = Customer.Name, FileType = "csv", File = input, BatchSize = 100 }, sink, progress, cancellation.Token);

        openAfterFirstBatch.Should().Be(1, "the second batch's COPY is started before the first batch's ends");
        (result.Status, result.CreatedCount).Should().Be(cancelled ? (ImportJobStatus.Cancelled, 200) : (ImportJobStatus.Completed, 500));
        (await OpenCopiesAsync(db)).Should().Be(0, "the COPY started for a batch that never came is cancelled when the run ends");
        (await db.ScalarAsync<long>($"SELECT count(*) FROM {db.Table(Customer)}")).Should().Be(result.CreatedCount);
        await db.ExecuteAsync($"SET lock_timeout = '10s'; TRUNCATE {db.Table(Customer)}");
    }

    /// <summary>The COPYs into the test's table running on the server (a COPY waiting for its rows is active).</summary>
    private static async Task<int> OpenCopiesAsync(RecordDatabase db) =>
        (int)await db.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY %{db.Schema}%'");

    /// <summary>Waits until <paramref name="count"/> COPYs are open, or a minute passes (then returns what it sees).</summary>
    private static async Task<int> WaitForOpenCopiesAsync(RecordDatabase db, int count)
    {
        var open = 0;
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            open = await OpenCopiesAsync(db);
            if (open == count)
            {
                break;
            }
        }

        return open;
    }

    /// <summary>Progress reported on the importing thread as it happens (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class Inline(Action<ImportJobDto> report) : IProgress<ImportJobDto>
    {
        public void Report(ImportJobDto value) => report(value);
    }
}
