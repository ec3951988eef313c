#if POSTGRES_TESTS
// In the PostgreSQL test project the contract runs against the test server, so it is skipped without one like the
// project's other tests (and fails in CI, which requires the server).
using FactAttribute = DataImport.PostgreSql.Tests.PostgresFactAttribute;
#endif

namespace DataImport.Tests.Jobs;

/// <summary>What every job store must guarantee; each store's test class runs these against a real instance.</summary>
public abstract class JobStoreContractTests
{
    protected static readonly DateTimeOffset Now = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);

    protected abstract ImportJobStore CreateStore();

    protected static StoredImportJob Queued(string domain, string? id = null) => new()
    {
        Job = new ImportJobDto { Id = id ?? Guid.NewGuid().ToString(), Entity = "Customer", Domain = domain, Status = ImportJobStatus.Queued, CreatedDate = Now, UpdatedAt = Now },
        UploadFileId = "upload",
    };

    [Fact]
    public async Task ClaimNextAsync_QueuedJob_GivesItToOneWorkerOnly()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);

        var first = await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);
        var second = await store.ClaimNextAsync("w2", Now, Now.AddMinutes(1), default);

        first!.Id.Should().Be(job.Id);
        first.Status.Should().Be(ImportJobStatus.InProgress);
        first.WorkerId.Should().Be("w1");
        first.Attempts.Should().Be(1);
        second.Should().BeNull();
    }

    [Fact]
    public async Task ClaimNextAsync_LeaseExpired_AnotherWorkerTakesOverWithTheCheckpoint()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);
        var checkpoint = new ImportJobCheckpoint { LastRow = 11, Created = 10, Updated = 0, Skipped = 0, Errors = 0, TotalItems = 30, NotImportedBytes = 42, RowErrors = [new ImportRowError { Row = 3, Column = 2, Property = "Email", Code = ImportProblemCodes.InvalidValue, Message = "bad", Outcome = RowOutcome.Error }] };
        await store.SaveProgressAsync(job.Id, "w1", job.Job with { Status = ImportJobStatus.InProgress, CreatedCount = 10 }, checkpoint, Now.AddMinutes(1), default);

        (await store.ClaimNextAsync("w2", Now.AddSeconds(30), Now.AddMinutes(2), default)).Should().BeNull();
        var taken = await store.ClaimNextAsync("w2", Now.AddMinutes(2), Now.AddMinutes(3), default);

        taken!.WorkerId.Should().Be("w2");
        taken.Attempts.Should().Be(2);
        taken.Checkpoint.Should().BeEquivalentTo(checkpoint);
        taken.Job.CreatedCount.Should().Be(10);
        (await store.HeartbeatAsync(job.Id, "w1", Now.AddMinutes(2), Now.AddMinutes(3), default)).LeaseHeld.Should().BeFalse();
        (await store.SaveProgressAsync(job.Id, "w1", job.Job, null, Now.AddMinutes(3), default)).LeaseHeld.Should().BeFalse();
        (await store.TryTransitionAsync(job.Id, ImportJobStatus.InProgress, job.Job with { Status = ImportJobStatus.Completed }, "w1", default)).Should().BeFalse();
    }

    [Fact]
    public async Task TryTransitionAsync_SecondFinish_IsRefused()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);

        var done = job.Job with { Status = ImportJobStatus.Completed, CompletedDate = Now };
        (await store.TryTransitionAsync(job.Id, ImportJobStatus.InProgress, done, "w1", default)).Should().BeTrue();
        (await store.TryTransitionAsync(job.Id, ImportJobStatus.InProgress, done with { Status = ImportJobStatus.Failed }, "w1", default)).Should().BeFalse();

        var stored = await store.GetAsync(job.Id, default);
        stored!.Status.Should().Be(ImportJobStatus.Completed);
        stored.WorkerId.Should().BeNull();
        (await store.ClaimNextAsync("w2", Now.AddHours(1), Now.AddHours(2), default)).Should().BeNull();
    }

    [Fact]
    public async Task HeartbeatAsync_CancellationRequested_TellsTheWorker()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default);

        (await store.RequestCancellationAsync(job.Id, default)).Should().BeTrue();
        var beat = await store.HeartbeatAsync(job.Id, "w1", Now.AddSeconds(10), Now.AddMinutes(2), default);

        beat.Should().Be(new ImportJobLeaseState(true, true));
        var stored = await store.GetAsync(job.Id, default);
        stored!.Job.LastHeartbeat.Should().Be(Now.AddSeconds(10));
        stored.LeaseExpires.Should().Be(Now.AddMinutes(2));
    }

    [Fact]
    public async Task ClaimNextAsync_ManyJobsOfOneDomain_AlternatesDomains()
    {
        var store = CreateStore();
        for (var i = 0; i < 5; i++)
        {
            await store.CreateAsync(Queued("big"), default);
        }

        await store.CreateAsync(Queued("small"), default);
        await store.CreateAsync(Queued("small"), default);

        var order = new List<string?>();
        while (await store.ClaimNextAsync("w", Now, Now.AddMinutes(1), default) is { } claimed)
        {
            order.Add(claimed.Domain);
            await store.TryTransitionAsync(claimed.Id, ImportJobStatus.InProgress, claimed.Job with { Status = ImportJobStatus.Completed, CompletedDate = Now }, "w", default);
        }

        order.Should().Equal("big", "small", "big", "small", "big", "big", "big");
    }

    [Fact]
    public async Task ReleaseAsync_HeldJob_CanBeClaimedAtOnce()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);
        await store.ClaimNextAsync("w1", Now, Now.AddMinutes(10), default);

        (await store.ReleaseAsync(job.Id, "w1", default)).Should().BeTrue();

        (await store.ClaimNextAsync("w2", Now, Now.AddMinutes(10), default))!.WorkerId.Should().Be("w2");
    }

    [Fact]
    public async Task ReleaseLeasesOfAsync_WorkerRestarted_ItsRunningJobsCanBeClaimedAtOnce()
    {
        var store = CreateStore();
        var mine = new[] { Queued("acme"), Queued("globex"), Queued("acme") };
        var other = Queued("initech");
        foreach (var job in mine.Append(other))
        {
            await store.CreateAsync(job, default);
        }

        await store.ClaimNextAsync("A", Now, Now.AddHours(1), default);
        await store.ClaimNextAsync("A", Now, Now.AddHours(1), default);
        await store.ClaimNextAsync("B", Now, Now.AddHours(1), default);
        var finished = (await store.ClaimNextAsync("A", Now, Now.AddHours(1), default))!;
        await store.TryTransitionAsync(finished.Id, ImportJobStatus.InProgress, finished.Job with { Status = ImportJobStatus.Completed, CompletedDate = Now }, "A", default);

        (await store.ReleaseLeasesOfAsync("A", default)).Should().Be(2);

        var first = await store.ClaimNextAsync("A", Now, Now.AddHours(1), default);
        var second = await store.ClaimNextAsync("A", Now, Now.AddHours(1), default);
        (await store.ClaimNextAsync("A", Now, Now.AddHours(1), default)).Should().BeNull("B's lease is held and the finished job stays finished");
        new[] { first!.Attempts, second!.Attempts }.Should().Equal(2, 2);
        (await store.GetAsync(finished.Id, default))!.Status.Should().Be(ImportJobStatus.Completed);
        (await store.ReleaseLeasesOfAsync("nobody", default)).Should().Be(0);
    }

    [Fact]
    public async Task DeleteFinishedAsync_OldFinishedJobs_DeletesOnlyThose()
    {
        var store = CreateStore();
        var old = Queued("acme");
        var fresh = Queued("acme");
        var queued = Queued("acme");
        await store.CreateAsync(old, default);
        await store.CreateAsync(fresh, default);
        await store.CreateAsync(queued, default);
        await store.TryTransitionAsync(old.Id, ImportJobStatus.Queued, old.Job with { Status = ImportJobStatus.Cancelled, CompletedDate = Now }, null, default);
        await store.TryTransitionAsync(fresh.Id, ImportJobStatus.Queued, fresh.Job with { Status = ImportJobStatus.Cancelled, CompletedDate = Now.AddDays(2) }, null, default);

        var deleted = await store.DeleteFinishedAsync(Now.AddDays(1), default);

        deleted.Select(j => j.Id).Should().Equal(old.Id);
        (await store.GetAsync(old.Id, default)).Should().BeNull();
        (await store.ListAsync("acme", 0, 10, default)).Select(j => j.Id).Should().BeEquivalentTo([fresh.Id, queued.Id]);
    }

    [Fact]
    public async Task GetOldestQueuedAsync_QueuedAndClaimedJobs_ReturnsTheOldestStillQueuedOfAnyDomain()
    {
        var store = CreateStore();
        (await store.GetOldestQueuedAsync(default)).Should().BeNull();
        var claimed = Queued("acme");
        var oldest = Queued("globex");
        await store.CreateAsync(claimed, default);
        await store.CreateAsync(oldest, default);
        await store.CreateAsync(Queued("acme"), default);
        (await store.ClaimNextAsync("w1", Now, Now.AddMinutes(1), default))!.Id.Should().Be(claimed.Id);

        var found = await store.GetOldestQueuedAsync(default);

        found!.Id.Should().Be(oldest.Id);
        found.Job.Domain.Should().Be("globex");
        found.Job.CreatedDate.Should().Be(Now);
    }

    [Fact]
    public async Task CreateAsync_SameId_Throws()
    {
        var store = CreateStore();
        var job = Queued("acme");
        await store.CreateAsync(job, default);

        var act = async () => await store.CreateAsync(job, default);

        await act.Should().ThrowAsync<InvalidOperationException>();
    }
}
