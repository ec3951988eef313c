using System.Diagnostics;
using DataImport.Sqlite.CrashHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataImport.Sqlite.Tests;

/// <summary>A real host process is killed mid-job; a new host on the same SQLite files takes the job over.</summary>
public sealed class SqliteJobCrashTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dataimport-tests", "crash-" + Guid.NewGuid().ToString("N"));

    public SqliteJobCrashTests() => Directory.CreateDirectory(_folder);

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

    private static string Csv(int rows) =>
        "Email,Name,Balance\n" + string.Concat(Enumerable.Range(1, rows).Select(i => i % 37 == 0 ? $"p{i}@x.com,,{i}\n" : $"p{i}@x.com,Person {i},{i}.5\n"));

    [Fact]
    public async Task Worker_HostProcessKilledMidBatch_NewHostResumesFromCheckpointAndWritesNoRowTwice()
    {
        await QueueAsync(ImportMode.CreateAndUpdate);

        // A real host process runs it and is killed inside its 7th batch, before that batch commits.
        await KillCrashHostInBatchAsync(7, afterCommit: false);

        // A new host on the same files takes the job over once the dead host's lease expires.
        var services = new ServiceCollection();
        var sink = new UpsertSink(_folder);
        CrashHostSetup.Configure(services, _folder, "new-host", sink);
        await using var second = services.BuildServiceProvider();
        var store = second.GetRequiredService<ImportJobStore>();
        var atKill = (await store.GetAsync(_jobId!, default))!;
        atKill.Job.Status.Should().Be(ImportJobStatus.InProgress);
        atKill.Checkpoint!.LastRow.Should().Be(301, "six batches of 50 rows were committed and checkpointed");
        var worker = second.GetServices<IHostedService>().Single();
        await worker.StartAsync(default);
        var final = await WaitFinishedAsync(second.GetRequiredService<IImportJobService>());
        await worker.StopAsync(default);

        var bad = Enumerable.Range(1, 1000).Count(i => i % 37 == 0);
        final.Status.Should().Be(ImportJobStatus.Completed, final.Message);
        (final.CreatedCount, final.UpdatedCount, final.SkippedCount, final.ErrorCount, final.TotalItems).Should().Be((1000 - bad, 0, bad, 0, 1000));
        (await store.GetAsync(_jobId!, default))!.Attempts.Should().Be(2);
        var (rows, maxWrites) = await ReadPeopleAsync();
        rows.Should().Be(1000 - bad);
        maxWrites.Should().Be(1, "no row is written twice: the killed batch never committed and was redone once");

        await using var notImported = await second.GetRequiredService<IImportJobService>().OpenNotImportedAsync("acme", _jobId!);
        var text = await new StreamReader(notImported!).ReadToEndAsync();
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1 + bad, "the header and each skipped row once");
    }

    [Fact]
    public async Task Worker_HostProcessKilledAfterABatchCommittedBeforeItsCheckpoint_CountsEqualACleanRun()
    {
        // CreateOnly is where a batch committed without its checkpoint showed: replayed against the sink, its rows were
        // counted as skipped "already exists" and written to the not-imported file.
        await QueueAsync(ImportMode.CreateOnly);
        await KillCrashHostInBatchAsync(7, afterCommit: true);

        var services = new ServiceCollection();
        CrashHostSetup.Configure(services, _folder, "new-host", new UpsertSink(_folder));
        await using var second = services.BuildServiceProvider();
        var store = second.GetRequiredService<ImportJobStore>();
        var atKill = (await store.GetAsync(_jobId!, default))!;
        atKill.Checkpoint!.LastRow.Should().Be(301, "six batches were checkpointed; the seventh committed without its checkpoint");
        atKill.Checkpoint.PendingDecisions.Select(d => d.Row).Should().Equal(
            Enumerable.Range(301, 50).Where(i => i % 37 != 0).Select(i => i + 1), "the seventh batch's valid rows were decided, and saved, before it was written");
        var worker = second.GetServices<IHostedService>().Single();
        await worker.StartAsync(default);
        var final = await WaitFinishedAsync(second.GetRequiredService<IImportJobService>());
        await worker.StopAsync(default);

        var bad = Enumerable.Range(1, 1000).Count(i => i % 37 == 0);
        final.Status.Should().Be(ImportJobStatus.Completed, final.Message);
        (final.CreatedCount, final.UpdatedCount, final.SkippedCount, final.ErrorCount, final.TotalItems).Should().Be((1000 - bad, 0, bad, 0, 1000));
        var (rows, _) = await ReadPeopleAsync();
        rows.Should().Be(1000 - bad);
        await using var notImported = await second.GetRequiredService<IImportJobService>().OpenNotImportedAsync("acme", _jobId!);
        var text = await new StreamReader(notImported!).ReadToEndAsync();
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1 + bad, "the header and each skipped row once, no row of the committed batch");
    }

    private string? _jobId;

    /// <summary>Queues the 1,000-row job from this process (no worker runs here).</summary>
    private async Task QueueAsync(ImportMode mode)
    {
        var queueing = new ServiceCollection();
        CrashHostSetup.Configure(queueing, _folder, "queue", new UpsertSink(_folder));
        await using var provider = queueing.BuildServiceProvider();
        var queued = await provider.GetRequiredService<IImportJobService>().StartAsync(new ImportRequest
        {
            Entity = "Person", FileType = "csv", File = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Csv(1000))), FileName = "people.csv",
            Mode = mode, BatchSize = 50, Domain = "acme",
        });
        _jobId = queued.Id;
    }

    /// <summary>A real host process runs the job and is killed in batch <paramref name="batch"/>, before or after it commits.</summary>
    private async Task KillCrashHostInBatchAsync(int batch, bool afterCommit)
    {
        using var host = StartCrashHost(batch, afterCommit);
        var marker = UpsertSink.MarkerPath(_folder);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            host.HasExited.Should().BeFalse("the crash host should be running the job (exit code {0})", host.HasExited ? host.ExitCode : 0);
            deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(120), "the crash host never reached batch {0}", batch);
            await Task.Delay(50);
        }

        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync();
    }

    private Process StartCrashHost(int markBatch, bool afterCommit = false)
    {
        // The crash host is built next to this test project, in the same configuration.
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory.Replace("DataImport.Sqlite.Tests", "DataImport.Sqlite.CrashHost", StringComparison.Ordinal), "DataImport.Sqlite.CrashHost.dll"));
        File.Exists(dll).Should().BeTrue($"the crash host should be built at {dll}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(_folder);
        start.ArgumentList.Add(markBatch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (afterCommit)
        {
            start.ArgumentList.Add("after");
        }
        return Process.Start(start)!;
    }

    private async Task<ImportJobDto> WaitFinishedAsync(IImportJobService jobs)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var job = await jobs.GetAsync("acme", _jobId!);
            if (job!.IsFinished)
            {
                return job;
            }

            deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(120), "the job should be taken over and finish; it is {0} at {1} rows", job.Status, job.ProcessedItems);
            await Task.Delay(100);
        }
    }

    private async Task<(long Rows, long MaxWrites)> ReadPeopleAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "records.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MAX(writes) FROM people";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
