using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DataImport.PostgreSql;
using DataImport.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DataImport.Benchmarks;

/// <summary>
/// Jobs claimed per second when several hosts claim at once: the SQLite store (several store instances on one file) and
/// the PostgreSQL store (several store instances, each with its own data source, on one schema), each over a history of
/// finished jobs. Every host loops claim, then complete (as a worker whose import takes no time), until the queue is
/// empty; the rate is claims over the wall time of the whole drain.
/// </summary>
public static class ClaimRun
{
    private const int Domains = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("DATAIMPORT_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine("--claims needs a PostgreSQL server: pass --postgres \"<Npgsql connection string>\" or set DATAIMPORT_TEST_POSTGRES (source eng/postgres.sh && postgres_start).");
            return 2;
        }

        var history = int.Parse(Option(args, "--history") ?? "100000", CultureInfo.InvariantCulture);
        var queued = int.Parse(Option(args, "--jobs") ?? "4000", CultureInfo.InvariantCulture);
        var hosts = int.Parse(Option(args, "--hosts") ?? "4", CultureInfo.InvariantCulture);
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        await using var admin = NpgsqlDataSource.Create(connectionString);
        await using (var version = admin.CreateCommand("SELECT current_setting('server_version')"))
        {
            Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}, PostgreSQL {await version.ExecuteScalarAsync()}");
        }

        Console.WriteLine($"{hosts} hosts claiming and completing {queued:N0} queued jobs of {Domains} domains over {history:N0} finished jobs; {runs} runs, median and slowest");
        Console.WriteLine();
        Console.WriteLine("| Store | Claims per second (median) | Slowest run |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine(Row("SQLite (one file, WAL)", await MeasureAsync(runs, () => SqliteRunAsync(history, queued, hosts))));
        Console.WriteLine(Row("PostgreSQL", await MeasureAsync(runs, () => PostgresRunAsync(admin, connectionString, history, queued, hosts))));
        return 0;
    }

    private static async Task<List<double>> MeasureAsync(int runs, Func<Task<double>> run)
    {
        var rates = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            rates.Add(await run());
        }

        rates.Sort();
        return rates;
    }

    private static string Row(string store, List<double> rates) =>
        string.Create(CultureInfo.InvariantCulture, $"| {store} | {rates[rates.Count / 2]:N0} | {rates[0]:N0} |");

    private static async Task<double> SqliteRunAsync(int history, int queued, int hosts)
    {
        var folder = Path.Combine(DataFiles.Folder, "claims");
        Directory.CreateDirectory(folder);
        var connectionString = $"Data Source={Path.Combine(folder, "jobs.db")}";
        try
        {
            await new SqliteImportJobStore(connectionString).GetAsync("none", default); // creates the tables
            await StoreRun.FillAsync(connectionString, history);
            var setup = new SqliteImportJobStore(connectionString);
            foreach (var (id, domain) in QueuedJobs(queued))
            {
                await setup.CreateAsync(new StoredImportJob { Job = StoreRun.Document(id, ImportJobStatus.Queued) with { Domain = domain }, UploadFileId = "upload" }, default);
            }

            return await DrainAsync(Enumerable.Range(0, hosts).Select(_ => (ImportJobStore)new SqliteImportJobStore(connectionString)).ToList(), queued);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> PostgresRunAsync(NpgsqlDataSource admin, string connectionString, int history, int queued, int hosts)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        var dataSources = Enumerable.Range(0, hosts).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            await new PostgreSqlImportJobStore(admin, schema).GetAsync("none", default); // creates the tables
            var finished = Enumerable.Range(0, history).Select(i => ($"finished-{i}", $"domain-{i % Domains}"));
            await PostgresInsertAsync(admin, schema, finished, ImportJobStatus.Completed);
            await PostgresInsertAsync(admin, schema, QueuedJobs(queued), ImportJobStatus.Queued);
            await using (var analyze = admin.CreateCommand($"ANALYZE \"{schema}\".import_jobs"))
            {
                await analyze.ExecuteNonQueryAsync();
            }

            return await DrainAsync([.. dataSources.Select(d => (ImportJobStore)new PostgreSqlImportJobStore(d, schema))], queued);
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }

            await using var drop = admin.CreateCommand($"DROP SCHEMA \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    // Hosts claim and complete until the queue is empty; returns claims per second.
    private static async Task<double> DrainAsync(List<ImportJobStore> stores, int expected)
    {
        var now = StoreRun.Start.AddMinutes(1);
        var watch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(stores.Select((store, n) => Task.Run(async () =>
        {
            var worker = $"host-{n}";
            var claims = 0;
            while (await store.ClaimNextAsync(worker, now, now.AddMinutes(5), default) is { } job)
            {
                claims++;
                if (!await store.TryTransitionAsync(job.Id, ImportJobStatus.InProgress, job.Job with { Status = ImportJobStatus.Completed, CompletedDate = now }, worker, default))
                {
                    throw new InvalidOperationException($"{worker} could not complete {job.Id}, which it had just claimed.");
                }
            }

            return claims;
        })));
        var elapsed = watch.Elapsed.TotalSeconds;
        if (counts.Sum() != expected)
        {
            throw new InvalidOperationException($"{counts.Sum()} claims for {expected} queued jobs.");
        }

        return expected / elapsed;
    }

    private static IEnumerable<(string Id, string Domain)> QueuedJobs(int count) =>
        Enumerable.Range(0, count).Select(i => ($"queued-{i}", $"domain-{i % Domains}"));

    // One multi-row insert per 10,000 jobs, in the store's own tables (schema version 1).
    private static async Task PostgresInsertAsync(NpgsqlDataSource dataSource, string schema, IEnumerable<(string Id, string Domain)> jobs, ImportJobStatus status)
    {
        foreach (var part in jobs.Chunk(10_000))
        {
            var documents = part.Select(j => ImportJobRowFormat.WriteJob(StoreRun.Document(j.Id, status) with { Domain = j.Domain })).ToArray();
            var at = StoreRun.Start.AddMinutes(3).UtcDateTime;
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"INSERT INTO \"{schema}\".import_job_domains (domain) SELECT DISTINCT unnest(@domains) ON CONFLICT DO NOTHING")
            {
                Parameters = { new NpgsqlParameter<string[]>("domains", [.. part.Select(j => j.Domain)]) },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                INSERT INTO "{schema}".import_jobs (id, domain, status, created_at, completed_at, upload_file, attempts, job)
                SELECT id, domain, @status, @at, CASE WHEN @status >= 2 THEN @at END, 'upload', CASE WHEN @status >= 2 THEN 1 ELSE 0 END, job
                FROM unnest(@ids, @domains, @jobs) WITH ORDINALITY AS t(id, domain, job, n) ORDER BY n
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]>("ids", [.. part.Select(j => j.Id)]),
                    new NpgsqlParameter<string[]>("domains", [.. part.Select(j => j.Domain)]),
                    new NpgsqlParameter<string[]>("jobs", documents),
                    new NpgsqlParameter<int>("status", (int)status),
                    new NpgsqlParameter<DateTime>("at", at),
                },
            });
            await batch.ExecuteNonQueryAsync();
        }
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
