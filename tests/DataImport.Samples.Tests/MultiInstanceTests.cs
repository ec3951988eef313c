using DataImport.PostgreSql.Tests;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DataImport.Samples.Tests;

/// <summary>
/// Several instances of the REST sample, each a process of its own, share one store: on PostgreSQL (issue 13's
/// deployment) and, for comparison, on one folder with a SQLite file. Whatever instance a request lands on sees the job.
/// </summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private const string LinkKey = "one signing key shared by every instance of the sample";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataimport-multi-" + Guid.NewGuid().ToString("N"));
    private readonly List<SampleProcess> _hosts = [];
    private Npgsql.NpgsqlDataSource? _postgres;
    private string? _schema;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_postgres, _schema!);
            await PostgresTestDatabase.DropSchemaAsync(_postgres, _schema! + "_records");
            await _postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The settings every instance shares: the store, the signing key of download links, the tokens.</summary>
    private async Task<List<string>> SharedSettingsAsync(string store)
    {
        List<string> settings =
        [
            $"DataImport:DataPath={_folder}",
            "DataImport:Tokens:test-token=m1,m2,clean,crash",
        ];
        if (store == "sqlite")
        {
            // On PostgreSQL the instances agree on a key kept in the database when given none (SharedLinkKey).
            settings.Add($"DataImport:DownloadLinkKey={LinkKey}");
        }

        if (store == "postgres")
        {
            _postgres ??= PostgresTestDatabase.CreateDataSource();
            _schema ??= "multi_" + Guid.NewGuid().ToString("N")[..12];
            settings.Add("DataImport:Store=postgres");
            settings.Add($"ConnectionStrings:DataImport={PostgresTestDatabase.RequireConnectionString()}");
            settings.Add($"DataImport:PostgreSql:Schema={_schema}");
            settings.Add($"DataImport:PostgreSql:RecordsSchema={_schema}_records");
        }

        await Task.CompletedTask;
        return settings;
    }

    private async Task<SampleProcess> StartAsync(string name, IEnumerable<string> settings)
    {
        var host = await SampleProcess.StartAsync(name, [.. settings, $"DataImport:Jobs:WorkerId={name}"]);
        _hosts.Add(host);
        return host;
    }

    private static MultipartFormDataContent Form(string path, string mode = "CreateAndUpdate") => new()
    {
        { new StringContent("csv"), "type" },
        { new StringContent(WebApiTestHost.Mapping), "mapping" },
        { new StringContent(mode), "mode" },
        { new StreamContent(File.OpenRead(path)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", Path.GetFileName(path) },
    };

    private static async Task<byte[]> DownloadAsync(SampleProcess host, JsonElement job)
    {
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;
        new Uri(link).Port.Should().Be(host.Client.BaseAddress!.Port, "the link points at the instance that answered");
        using var response = await host.Client.GetAsync(new Uri(link));
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    // A file big enough that a job is still running when another instance cancels it: 300,000 rows.
    private string BigFile(int rows, string name)
    {
        var path = Path.Combine(_folder, name);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("Name,Email,Balance,Born,Joined,Active,Tier\n");
        for (var i = 1; i <= rows; i++)
        {
            // Every 1,000th row has a bad balance; every 500th repeats an earlier row's e-mail (an update).
            var email = i % 500 == 0 ? $"p{i - 250}@example.com" : $"p{i}@example.com";
            var balance = i % 1000 == 7 ? "12x34.5" : $"{i % 997}.25";
            writer.Write($"Person {i},{email},{balance},1980-01-0{(i % 9) + 1},2024-06-25 13:00,{(i % 2 == 0 ? "yes" : "no")},{(i % 3 == 0 ? "Gold" : "Silver")}\n");
        }

        return path;
    }

    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [PostgresTheory]
    [MemberData(nameof(Stores))]
    public async Task TwoInstances_UploadOnOne_PollAndDownloadOnTheOther(string store)
    {
        var shared = await SharedSettingsAsync(store);
        var a = await StartAsync("web-a", shared);
        var b = await StartAsync("web-b", shared);

        var id = await a.ImportAsync(Form(WebApiTestHost.SampleFile("customers.csv")), "m1");
        var job = await b.WaitFinishedAsync(id, "m1");

        job.GetProperty("status").GetString().Should().Be("COMPLETED", job.ToString());
        (job.GetProperty("createdCount").GetInt32(), job.GetProperty("updatedCount").GetInt32(), job.GetProperty("skippedCount").GetInt32(), job.GetProperty("errorCount").GetInt32())
            .Should().Be((395, 1, 1, 3));
        var fromB = await DownloadAsync(b, job);
        var fromA = await DownloadAsync(a, await a.JobAsync(id, "m1"));
        fromB.Should().Equal(fromA);
        var lines = Encoding.UTF8.GetString(fromB).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(1 + 1 + 3, "the header, the skipped row and the three rows with errors");
        lines[0].Should().EndWith(",Row,Reason");

        File.Exists(Path.Combine(_folder, "jobs.db")).Should().Be(store == "sqlite", "a PostgreSQL instance keeps nothing on disk");
        var (status, records) = await b.GetAsync("/api/v1/entities/Customer/records?pageSize=1", "m1");
        status.Should().Be(200);
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(395);
    }

    [PostgresTheory]
    [MemberData(nameof(Stores))]
    public async Task TwoInstances_ImportOnOne_CancelOnTheOther(string store)
    {
        var shared = await SharedSettingsAsync(store);
        var a = await StartAsync("web-a", shared);
        var b = await StartAsync("web-b", shared);
        var file = BigFile(300_000, "big.csv");

        var id = await a.ImportAsync(Form(file), "m2");
        var (status, body) = await b.SendAsync(b.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "m2"));
        status.Should().Be(200, body.ToString());
        var job = await a.WaitFinishedAsync(id, "m2");

        job.GetProperty("status").GetString().Should().Be("CANCELLED", job.ToString());
        job.GetProperty("processedItems").GetInt32().Should().BeLessThan(300_000);
        (await b.JobAsync(id, "m2")).GetProperty("status").GetString().Should().Be("CANCELLED");
    }

    [PostgresFact]
    public async Task ThreeWorkerProcesses_TheOneRunningAJobIsKilled_AnotherFinishesIt_EqualToACleanRun()
    {
        var shared = await SharedSettingsAsync("postgres");
        shared.AddRange(["DataImport:Jobs:LeaseDuration=00:00:05", "DataImport:Jobs:HeartbeatInterval=00:00:01", "DataImport:MaxConcurrency=1"]);
        var file = BigFile(300_000, "kill.csv");

        // The clean run, on one instance.
        var first = await StartAsync("worker-1", shared);
        var cleanId = await first.ImportAsync(Form(file), "clean");
        var clean = await first.WaitFinishedAsync(cleanId, "clean", TimeSpan.FromMinutes(10));
        clean.GetProperty("status").GetString().Should().Be("COMPLETED", clean.ToString());

        // The same import; worker-1 alone is running, so it takes the job. Two more instances join, then worker-1 dies
        // with SIGKILL in the middle of the job (no shutdown code runs, its lease is left to expire).
        var id = await first.ImportAsync(Form(file), "crash");
        await first.WaitForAsync(id, "crash", j => j.GetProperty("processedItems").GetInt32() >= 60_000, TimeSpan.FromMinutes(5));

        // Hold the records' tables until worker-1 is dead: its next batch waits for the lock, so the kill lands mid-job
        // however fast the machine (the job cannot end between the progress seen above and the lock).
        SampleProcess second, third;
        await using (var hold = await _postgres!.OpenConnectionAsync())
        {
            await using var transaction = await hold.BeginTransactionAsync();
            await using (var tables = new Npgsql.NpgsqlCommand($"SELECT string_agg(format('%I.%I', table_schema, table_name), ', ') FROM information_schema.tables WHERE table_schema = '{_schema}_records'", hold, transaction))
            await using (var lockTables = new Npgsql.NpgsqlCommand($"LOCK TABLE {await tables.ExecuteScalarAsync()} IN EXCLUSIVE MODE", hold, transaction))
            {
                await lockTables.ExecuteNonQueryAsync();
            }

            second = await StartAsync("worker-2", shared);
            third = await StartAsync("worker-3", shared);
            await first.KillAsync();
            await transaction.RollbackAsync();
        }

        var job = await second.WaitFinishedAsync(id, "crash", TimeSpan.FromMinutes(10));
        job.GetProperty("status").GetString().Should().Be("COMPLETED", job.ToString());
        foreach (var counter in new[] { "totalItems", "processedItems", "createdCount", "updatedCount", "skippedCount", "errorCount" })
        {
            job.GetProperty(counter).GetInt32().Should().Be(clean.GetProperty(counter).GetInt32(), counter);
        }

        job.GetProperty("errors").ToString().Should().Be(clean.GetProperty("errors").ToString());
        (await DownloadAsync(third, await third.JobAsync(id, "crash"))).Should().Equal(await DownloadAsync(second, await second.JobAsync(cleanId, "clean")));
        var (_, crashRecords) = await third.GetAsync("/api/v1/entities/Customer/records?pageSize=1", "crash");
        crashRecords.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(clean.GetProperty("createdCount").GetInt32());

        // The kill came mid-job: a second worker claimed it (had worker-1 finished first, it would have one attempt).
        await using var attempts = _postgres!.CreateCommand($"SELECT attempts FROM \"{_schema}\".import_jobs WHERE id = $1");
        attempts.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        Convert.ToInt32(await attempts.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).Should().Be(2, "worker-1 was killed while running the job and another worker took it over");
    }
}
