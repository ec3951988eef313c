using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DataImport.Sqlite;
using Microsoft.Data.Sqlite;

namespace DataImport.Benchmarks;

/// <summary>
/// Measures the SQLite job store against the size of its history: a real database file holding 0, 1,000, 10,000 and
/// 100,000 finished jobs of one domain (inserted in bulk in the store's tables), then the time to enqueue a job (the
/// store insert of <c>POST import</c>), to claim it, and to list the domain's first page, each repeated.
/// </summary>
public static class StoreRun
{
    private const string Domain = "acme";

    // The store's tables (schema version 2): the columns a claim compares, and the documents apart.
    private const string InsertFinished = """
        INSERT INTO import_jobs (id, domain, status, created_at, completed_at, upload_file, worker_id, lease_expires, last_heartbeat, attempts, claim_seq)
        VALUES (@id, @domain, 2, @at, @at, @upload, NULL, NULL, @at, 1, @claim);
        INSERT INTO import_job_documents (seq, job, checkpoint) VALUES (last_insert_rowid(), @job, @checkpoint);
        """;

    private static readonly int[] DefaultSizes = [0, 1_000, 10_000, 100_000];

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = Option(args, "--sizes")?.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() ?? DefaultSizes;
        var runs = int.Parse(Option(args, "--runs") ?? "30", CultureInfo.InvariantCulture);
        var backlog = int.Parse(Option(args, "--backlog") ?? "0", CultureInfo.InvariantCulture);
        var folder = Path.Combine(DataFiles.Folder, "store");
        Directory.CreateDirectory(folder);
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}, SQLite {SqliteVersion()}");
        Console.WriteLine($"{runs} runs per size after 3 warm-up runs, {backlog} other jobs queued in the domain; median and slowest run, milliseconds");
        Console.WriteLine();
        Console.WriteLine("| Finished jobs in the domain | File size | Enqueue (median / max) | Claim (median / max) | List first 20 (median / max) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var size in sizes)
            {
                var path = Path.Combine(folder, $"jobs-{size}.db");
                DeleteDatabase(path);
                var connectionString = $"Data Source={path}";
                var store = new SqliteImportJobStore(connectionString);
                await store.GetAsync("none", default); // creates the tables
                await FillAsync(connectionString, size);
                for (var i = 0; i < backlog; i++)
                {
                    await store.CreateAsync(new StoredImportJob { Job = Document($"waiting-{i}", ImportJobStatus.Queued), UploadFileId = "upload" }, default);
                }

                var enqueue = new List<double>();
                var claim = new List<double>();
                var list = new List<double>();
                for (var i = -3; i < runs; i++)
                {
                    var job = new StoredImportJob { Job = Document($"new-{size}-{i}", ImportJobStatus.Queued), UploadFileId = "upload" };
                    var watch = Stopwatch.StartNew();
                    await store.CreateAsync(job, default);
                    var enqueued = watch.Elapsed.TotalMilliseconds;

                    watch.Restart();
                    var claimed = await store.ClaimNextAsync("bench", Start, Start.AddMinutes(1), default);
                    var claimTime = watch.Elapsed.TotalMilliseconds;
                    // With a backlog the claim takes the oldest waiting job; each run completes it and adds one.
                    if (claimed is null || (backlog == 0 && claimed.Id != job.Id))
                    {
                        throw new InvalidOperationException($"Claimed {claimed?.Id ?? "nothing"} instead of {job.Id}.");
                    }

                    watch.Restart();
                    var page = await store.ListAsync(Domain, 0, 20, default);
                    var listTime = watch.Elapsed.TotalMilliseconds;
                    if (page.Count == 0)
                    {
                        throw new InvalidOperationException("The list is empty.");
                    }

                    // Back to the same history plus one, as the next run expects.
                    await store.TryTransitionAsync(claimed.Id, ImportJobStatus.InProgress, claimed.Job with { Status = ImportJobStatus.Completed, CompletedDate = Start }, "bench", default);
                    if (i >= 0)
                    {
                        enqueue.Add(enqueued);
                        claim.Add(claimTime);
                        list.Add(listTime);
                    }
                }

                SqliteConnection.ClearAllPools();
                var megabytes = new FileInfo(path).Length / 1024.0 / 1024.0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size:N0} | {megabytes:F0} MB | {Summary(enqueue)} | {Summary(claim)} | {Summary(list)} |"));
                DeleteDatabase(path);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    internal static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string Summary(List<double> times)
    {
        times.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"{times[times.Count / 2]:F2} / {times[^1]:F2}");
    }

    // A finished job as the worker leaves it: counters, a message and the first row errors, about 1.5 KB of JSON.
    internal static ImportJobDto Document(string id, ImportJobStatus status) => new()
    {
        Id = id,
        Entity = "Customer",
        Domain = Domain,
        Status = status,
        FileName = "customers-2024-05.csv",
        Message = "Imported with errors",
        TotalItems = 300_000,
        CreatedCount = 299_990,
        ErrorCount = 10,
        Errors = [.. Enumerable.Range(1, 10).Select(r => new ImportRowError { Row = r * 1000, Column = 3, Property = "Email", Code = ImportProblemCodes.InvalidValue, Message = $"Email (column 3): 'person{r}.example' is not a valid e-mail address", Outcome = RowOutcome.Error })],
        CreatedDate = Start,
        StartedDate = Start,
        CompletedDate = status == ImportJobStatus.Completed ? Start.AddMinutes(3) : null,
        UpdatedAt = Start.AddMinutes(3),
    };

    internal static async Task FillAsync(string connectionString, int size)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertFinished;
        var id = command.Parameters.Add("@id", SqliteType.Text);
        var claim = command.Parameters.Add("@claim", SqliteType.Integer);
        var job = command.Parameters.Add("@job", SqliteType.Text);
        command.Parameters.AddWithValue("@domain", Domain);
        command.Parameters.AddWithValue("@at", Start.AddMinutes(3).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@upload", "upload");
        command.Parameters.AddWithValue("@checkpoint", ImportJobRowFormat.WriteCheckpoint(new ImportJobCheckpoint { LastRow = 300_001, Created = 299_990, Updated = 0, Skipped = 0, Errors = 10, TotalItems = 300_000, NotImportedBytes = 2048, RowErrors = [] }));
        for (var i = 0; i < size; i++)
        {
            var jobId = $"finished-{i}";
            id.Value = jobId;
            claim.Value = i + 1;
            job.Value = ImportJobRowFormat.WriteJob(Document(jobId, ImportJobStatus.Completed));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
