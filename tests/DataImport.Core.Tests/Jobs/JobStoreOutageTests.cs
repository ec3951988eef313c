using DataImport.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

/// <summary>A job store that fails for a while, or for good, never ends a job failed; a provider's error never reaches the user.</summary>
public sealed class JobStoreOutageTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public void Dispose() => JobTestHost.DeleteFolder(_folder);

    [Fact]
    public async Task Worker_CheckpointSaveFailsThreeTimes_JobCompletesWithExactCounts()
    {
        var sink = new CountingSink();
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        sink.BeforeBatch = (n, _) =>
        {
            if (n == 2)
            {
                store.FailNextSaves(3);
            }

            return Task.CompletedTask;
        };
        await using var host = Host(sink, store);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 10));
        await host.StartWorkerAsync();

        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromMilliseconds(100)));

        store.FailedSaves.Should().Be(3);
        job.Status.Should().Be(ImportJobStatus.Completed);
        (job.CreatedCount, job.UpdatedCount, job.ErrorCount).Should().Be((25, 0, 0));
        sink.Writes.Values.Should().HaveCount(25).And.OnlyContain(n => n == 1);
        store.Claims.Should().ContainSingle();
    }

    [Fact]
    public async Task Worker_FirstProgressSaveFails_JobCompletes()
    {
        var sink = new CountingSink();
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        store.FailNextSaves(JobStoreRetry.Tries - 1);
        await using var host = Host(sink, store);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(5)));
        await host.StartWorkerAsync();

        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromMilliseconds(100)));

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.CreatedCount.Should().Be(5);
    }

    [Fact]
    public async Task Worker_StoreDownForGood_StopsWithoutFailingTheJobAndAWorkerResumesItFromItsCheckpoint()
    {
        var sink = new CountingSink();
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        sink.BeforeBatch = (n, _) =>
        {
            if (n == 2)
            {
                store.Down = true;
            }

            return Task.CompletedTask;
        };
        await using var host = Host(sink, store);
        var running = host.Provider.GetRequiredService<RunningImportJobs>();
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 10));
        await host.StartWorkerAsync();

        // Batch 2's checkpoint fails on every try; the run then stops on its own.
        await host.WaitForAsync("acme", queued.Id, _ => store.FailedSaves >= JobStoreRetry.Tries && !running.IsRunning(queued.Id), () => host.Time.Advance(TimeSpan.FromMilliseconds(100)));
        var stopped = (await store.Inner.GetAsync(queued.Id, CancellationToken.None))!;

        stopped.Status.Should().Be(ImportJobStatus.InProgress);
        stopped.Job.Message.Should().BeNull();
        stopped.Checkpoint!.Created.Should().Be(10);
        stopped.Checkpoint.Attempt.Should().Be(1, "batch 1 was progress of the first attempt");
        sink.Batches.Should().Be(2);

        store.Down = false;
        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromSeconds(5)));

        job.Status.Should().Be(ImportJobStatus.Completed);
        (job.ImportedCount, job.FailedCount).Should().Be((25, 0));
        sink.Records.Should().HaveCount(25);
        store.Claims.Should().HaveCount(2);
    }

    [Fact]
    public async Task Worker_SinkThrowsProviderError_MessagePointsToTheLogWithoutTheProvidersText()
    {
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _folder, new LockedDatabaseSink());
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The import stopped unexpectedly; the details are in the server log (job {queued.Id}).");
        job.Failure!.Code.Should().Be(ImportProblemCodes.Unexpected);
        job.Failure.Message.Should().NotContain("SQLite");
    }

    private JobTestHost Host(ImportSink<Customer> sink, FlakyJobStore store) =>
        new(new FakeTimeProvider(Start), _folder, sink, configure: b => b.UseJobStore(_ => store));
}
