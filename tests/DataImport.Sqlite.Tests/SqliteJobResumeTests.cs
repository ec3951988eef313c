using System.Text;
using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Sqlite.Tests;

public sealed class SqliteJobResumeTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public SqliteJobResumeTests()
    {
        Directory.CreateDirectory(_folder);
    }

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "jobs.db")}";

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

    private JobTestHost Host(string worker, DateTimeOffset now, CountingSink sink) => new(
        new FakeTimeProvider(now),
        Path.Combine(_folder, "files"),
        sink,
        o =>
        {
            o.WorkerId = worker;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
        },
        b => b.UseSqliteJobStore(ConnectionString));

    private static async Task<(ImportJobDto Job, byte[] NotImported)> CleanRunAsync(string csv)
    {
        using var output = new MemoryStream();
        var request = JobTestHost.Request(csv, batchSize: 10);
        var job = await TestEngine.Customers().RunAsync(
            new ImportRequest { Entity = request.Entity, FileType = request.FileType, File = request.File, FileName = request.FileName, Mapping = request.Mapping, Mode = request.Mode, BatchSize = 10, NotImportedOutput = output },
            new CountingSink());
        return (job, output.ToArray());
    }

    [Fact]
    public async Task Worker_HostKilledMidJob_AnotherHostResumesFromCheckpointWritingNoRowTwice()
    {
        var csv = JobTestHost.CustomersCsv(50, badEvery: 7);
        var sink = new CountingSink();
        // The sink hangs in batch 3, as a host that died mid-write: no write, no heartbeat, no final state.
        var held = sink.StallAt(3);
        var first = Host("host-1", T0, sink);
        var queued = await first.Jobs.StartAsync(JobTestHost.Request(csv, batchSize: 10));
        await first.StartWorkerAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        var stalled = await first.WaitForAsync("acme", queued.Id, j => j.ProcessedItems == 20);

        await using var second = Host("host-2", T0.AddMinutes(2), sink);
        await second.StartWorkerAsync();
        var job = await second.WaitFinishedAsync("acme", queued.Id);

        var (clean, cleanNotImported) = await CleanRunAsync(csv);
        stalled.Status.Should().Be(ImportJobStatus.InProgress);
        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount, job.TotalItems).Should()
            .Be((clean.CreatedCount, clean.UpdatedCount, clean.SkippedCount, clean.ErrorCount, clean.TotalItems));
        job.Errors.Select(e => e.Row).Should().Equal(clean.Errors.Select(e => e.Row));
        job.StartedDate.Should().Be(T0);
        sink.Writes.Should().HaveCount(43).And.OnlyContain(w => w.Value == 1);
        await using (var file = (await second.Jobs.OpenNotImportedAsync("acme", queued.Id))!)
        {
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes);
            Encoding.UTF8.GetString(bytes.ToArray()).Should().Be(Encoding.UTF8.GetString(cleanNotImported));
        }

        var stored = await new SqliteImportJobStore(ConnectionString).GetAsync(queued.Id, default);
        stored!.Attempts.Should().Be(2);

        // The dead host wakes up and stops: it no longer holds the job, so it cannot change it.
        await first.DisposeAsync();
        (await second.Jobs.GetAsync("acme", queued.Id))!.Status.Should().Be(ImportJobStatus.Completed);
        (await second.Jobs.GetAsync("acme", queued.Id))!.CreatedCount.Should().Be(43);
    }

    [Fact]
    public async Task Worker_ProcessOfWorkerKilledAndRestarted_ResumesItsJobWithoutWaitingForTheLease()
    {
        var sink = new CountingSink();
        string id;
        await using (var dead = Host("A", T0, sink))
        {
            // Worker A claimed the job for an hour and its process died: no heartbeat, no release.
            id = (await dead.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(5)))).Id;
            var claimed = await new SqliteImportJobStore(ConnectionString).ClaimNextAsync("A", T0, T0.AddHours(1), default);
            claimed!.Id.Should().Be(id);
        }

        // The restarted instance has the same worker id and the clock has not reached the lease's end.
        await using var restarted = Host("A", T0.AddSeconds(5), sink);
        await restarted.StartWorkerAsync();
        var job = await restarted.WaitFinishedAsync("acme", id);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(5);
        (await new SqliteImportJobStore(ConnectionString).GetAsync(id, default))!.Attempts.Should().Be(2);
    }

    [Fact]
    public async Task StartAsync_HostRestarts_QueuedJobRunsOnTheNewHost()
    {
        var sink = new CountingSink();
        string id;
        await using (var first = Host("host-1", T0, sink))
        {
            id = (await first.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(5)))).Id;
        }

        await using var second = Host("host-2", T0, sink);
        (await second.Jobs.GetAsync("acme", id))!.Status.Should().Be(ImportJobStatus.Queued);
        await second.StartWorkerAsync();

        var job = await second.WaitFinishedAsync("acme", id);

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.CreatedCount.Should().Be(5);
    }

    [Fact]
    public async Task CancelAsync_FromAnotherHost_StopsTheRunningJobAtItsNextHeartbeat()
    {
        var sink = new CountingSink();
        // The sink hangs in batch 2, as a host that died mid-write: no write, no heartbeat, no final state.
        var held = sink.StallAt(2);
        await using var running = Host("host-1", T0, sink);
        await using var other = Host("host-2", T0, sink);
        var queued = await running.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(30), batchSize: 10));
        await running.StartWorkerAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(60));

        await other.Jobs.CancelAsync("acme", queued.Id);
        var job = await running.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => running.Time.Advance(TimeSpan.FromSeconds(10)));

        job.Status.Should().Be(ImportJobStatus.Cancelled);
        job.CreatedCount.Should().Be(10);
        sink.Records.Should().HaveCount(10);
    }
}
