using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.HealthChecks.Tests;

/// <summary>The three checks over a container with background jobs, a fake clock and a store that can fail.</summary>
public sealed class HealthCheckTests : IAsyncDisposable
{
    private readonly string _folder = JobTestHost.NewFolder();
    private readonly StallingJobStore _store = new();
    private readonly JobTestHost _host;

    public HealthCheckTests()
    {
        _host = new JobTestHost(new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero)), _folder, new CountingSink(), configure: b =>
        {
            b.UseJobStore(_ => _store);
            b.Services.AddLogging();
            b.Services.AddHealthChecks().AddDataImportHealthChecks(o => o.MaxQueuedAge = TimeSpan.FromMinutes(5));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        JobTestHost.DeleteFolder(_folder);
    }

    [Fact]
    public async Task Check_WorkerRunningAndNothingQueued_EveryCheckIsHealthy()
    {
        await _host.StartWorkerAsync();

        var report = await CheckAsync();

        report.Status.Should().Be(HealthStatus.Healthy);
        report.Entries.Keys.Should().BeEquivalentTo("dataimport-worker", "dataimport-queue", "dataimport-store");
        report.Entries.Values.Should().OnlyContain(e => e.Tags.Contains("dataimport"));
        report.Entries["dataimport-queue"].Description.Should().Be("No job is queued.");
        report.Entries["dataimport-store"].Description.Should().Be("The job store answered.");
    }

    [Fact]
    public async Task Check_WorkerNotStartedThenStopped_WorkerIsUnhealthy()
    {
        var before = (await CheckAsync()).Entries["dataimport-worker"];
        await _host.StartWorkerAsync();
        var running = (await CheckAsync()).Entries["dataimport-worker"];
        await _host.Worker.StopAsync(CancellationToken.None);
        var after = (await CheckAsync()).Entries["dataimport-worker"];

        (before.Status, before.Description).Should().Be((HealthStatus.Unhealthy, "The import worker has not started."));
        running.Status.Should().Be(HealthStatus.Healthy);
        (after.Status, after.Description).Should().Be((HealthStatus.Unhealthy, "The import worker has stopped."));
    }

    [Fact]
    public async Task Check_WorkerLoopStuckPastTheTimeout_WorkerIsUnhealthy()
    {
        _store.StallClaims = true;
        await _host.StartWorkerAsync();
        await _store.ClaimStalled.WaitAsync(TimeSpan.FromSeconds(60));

        _host.Time.Advance(TimeSpan.FromSeconds(50));
        var within = (await CheckAsync()).Entries["dataimport-worker"];
        _host.Time.Advance(TimeSpan.FromSeconds(20));
        var past = (await CheckAsync()).Entries["dataimport-worker"];

        (within.Status, within.Description).Should().Be((HealthStatus.Healthy, "The import worker's loop ran 50 seconds ago."));
        (past.Status, past.Description).Should().Be((HealthStatus.Unhealthy, "The import worker's loop last ran 70 seconds ago (the limit is 60 seconds)."));
    }

    [Fact]
    public async Task Check_OldestQueuedJobWaitingPastTheLimit_QueueIsDegraded()
    {
        // No worker runs, so the job stays queued.
        var queued = await _host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));

        _host.Time.Advance(TimeSpan.FromMinutes(4));
        var within = (await CheckAsync()).Entries["dataimport-queue"];
        _host.Time.Advance(TimeSpan.FromMinutes(2));
        var report = await CheckAsync();
        var past = report.Entries["dataimport-queue"];

        (within.Status, within.Description).Should().Be((HealthStatus.Healthy, "The oldest queued job has waited 4 minutes."));
        (past.Status, past.Description).Should().Be((HealthStatus.Degraded, "The oldest queued job has waited 6 minutes (the limit is 5 minutes)."));
        past.Data["oldestQueuedJob"].Should().Be(queued.Id);
        report.Status.Should().Be(HealthStatus.Unhealthy, "the worker is not running either");
    }

    [Fact]
    public async Task Check_StoreDown_StoreAndQueueAreUnhealthyWithoutTheStoresMessage()
    {
        await _host.StartWorkerAsync();
        _store.Down = true;

        var report = await CheckAsync();

        var store = report.Entries["dataimport-store"];
        (store.Status, store.Description).Should().Be((HealthStatus.Unhealthy, "The job store is not reachable."));
        store.Exception!.Message.Should().Contain("connection refused");
        report.Entries["dataimport-queue"].Status.Should().Be(HealthStatus.Degraded);
        report.Entries["dataimport-queue"].Description.Should().Be("The queue could not be read from the job store.");
    }

    [Fact]
    public async Task Check_StoreThatDoesNotReportItsQueue_QueueIsNotChecked()
    {
        _store.ReportsQueue = false;

        var queue = (await CheckAsync()).Entries["dataimport-queue"];

        (queue.Status, queue.Description).Should().Be((HealthStatus.Healthy, "Not checked: the job store does not report its queue."));
    }

    private Task<HealthReport> CheckAsync() => _host.Provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
}
