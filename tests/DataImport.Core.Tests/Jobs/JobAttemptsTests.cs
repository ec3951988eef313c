using DataImport.Files;
using DataImport.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

/// <summary>A job that cannot run is tried <see cref="ImportJobsOptions.MaxAttempts"/> times, then ends failed with the reason: no poison loop.</summary>
public sealed class JobAttemptsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public void Dispose() => JobTestHost.DeleteFolder(_folder);

    [Fact]
    public async Task Worker_NotImportedFileCannotBeCreated_FailsAfterMaxAttemptsWithTheReasonAndIsNotClaimedAgain()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        var files = new UnwritableNotImportedFileStore(new LocalImportFileStore(_folder));
        var sink = new CountingSink();
        await using var host = Host(sink, store, files);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();

        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 30; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(10);
        }

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("The import could not run after 3 attempts: the not-imported file could not be created.");
        job.Message.Should().NotContain("Access to the path");
        store.Claims.Should().HaveCount(3);
        files.Opens.Should().Be(3);
        sink.Batches.Should().Be(0);
    }

    [Fact]
    public async Task CancelAsync_JobBetweenAttempts_EndsCancelledAtOnce()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        var files = new UnwritableNotImportedFileStore(new LocalImportFileStore(_folder));
        await using var host = Host(new CountingSink(), store, files);
        var running = host.Provider.GetRequiredService<RunningImportJobs>();
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();
        await host.WaitForAsync("acme", queued.Id, _ => files.Opens == 1 && !running.IsRunning(queued.Id));

        var cancelled = await host.Jobs.CancelAsync("acme", queued.Id);

        cancelled!.Status.Should().Be(ImportJobStatus.Cancelled);
        cancelled.Message.Should().Be("The import was cancelled before it started.");
        for (var i = 0; i < 20; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(10);
        }

        (await host.Jobs.GetAsync("acme", queued.Id))!.Status.Should().Be(ImportJobStatus.Cancelled);
        store.Claims.Should().ContainSingle();
    }

    [Fact]
    public async Task Worker_EarlierClaimsDiedWithoutAWord_FailsAtTheNextClaimWithoutRunning()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore()) { EarlierClaims = 3 };
        var sink = new CountingSink();
        await using var host = Host(sink, store);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The import could not run after 3 attempts; the details are in the server log (job {queued.Id}).");
        sink.Batches.Should().Be(0);
    }

    [Fact]
    public async Task Worker_JobResumedAfterManyClaimsThatEachMadeProgress_Completes()
    {
        var store = new InMemoryImportJobStore();
        var sink = new CountingSink();
        var time = new FakeTimeProvider(Start);
        await using var host = new JobTestHost(time, _folder, sink, configure: b => b.UseJobStore(_ => store));
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 10));

        // Five earlier workers each committed a batch, then their host stopped: progress every time, so no count of failures.
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var claimed = (await store.ClaimNextAsync("earlier", time.GetUtcNow(), time.GetUtcNow().AddMinutes(1), CancellationToken.None))!;
            claimed.Attempts.Should().Be(attempt);
            var checkpoint = new ImportJobCheckpoint { LastRow = 11, Created = 10, Attempt = attempt };
            await store.SaveProgressAsync(queued.Id, "earlier", claimed.Job, checkpoint, time.GetUtcNow().AddMinutes(1), CancellationToken.None);
            await store.ReleaseAsync(queued.Id, "earlier", CancellationToken.None);
        }

        await host.StartWorkerAsync();
        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.CreatedCount.Should().Be(25);
        sink.Records.Should().HaveCount(15);
    }

    [Fact]
    public async Task Worker_HostStoppedAfterEachBatchMoreTimesThanMaxAttempts_JobStillCompletes()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        var time = new FakeTimeProvider(Start);
        var sink = new CountingSink();
        using var stalled = new SemaphoreSlim(0);
        sink.BeforeBatch = async (n, ct) =>
        {
            // Every second write hangs until its host stops, so each host commits one batch and hands the job on.
            if (n % 2 == 0)
            {
                stalled.Release();
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        string id;
        await using (var first = new JobTestHost(time, _folder, sink, configure: b => b.UseJobStore(_ => store)))
        {
            id = (await first.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 5))).Id;
            await first.StartWorkerAsync();
            (await stalled.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue();
        }

        for (var restart = 2; restart <= 4; restart++)
        {
            await using var host = new JobTestHost(time, _folder, sink, configure: b => b.UseJobStore(_ => store));
            await host.StartWorkerAsync();
            (await stalled.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue();
        }

        await using var last = new JobTestHost(time, _folder, sink, configure: b => b.UseJobStore(_ => store));
        await last.StartWorkerAsync();
        var job = await last.WaitFinishedAsync("acme", id);

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.CreatedCount.Should().Be(25);
        store.Claims.Should().HaveCount(5);
    }

    [Fact]
    public async Task Worker_UploadGone_FailsAtTheFirstClaim()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        await using var host = Host(new CountingSink(), store);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        File.Delete(Path.Combine(_folder, $"{queued.Id}.upload"));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Contain("no longer available");
        store.Claims.Should().ContainSingle();
    }

    [Fact]
    public void AddBackgroundJobs_MaxAttemptsZero_IsReported()
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddBackgroundJobs(o => o.MaxAttempts = 0);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<ImportJobsOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Contain("MaxAttempts is 0");
    }

    private JobTestHost Host(CountingSink sink, FlakyJobStore store, ImportFileStore? files = null) =>
        new(new FakeTimeProvider(Start), _folder, sink, configure: b =>
        {
            b.UseJobStore(_ => store);
            if (files is not null)
            {
                b.UseFileStore(_ => files);
            }
        });
}
