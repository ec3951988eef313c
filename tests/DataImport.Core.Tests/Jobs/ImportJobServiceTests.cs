using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

public sealed class ImportJobServiceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public void Dispose() => JobTestHost.DeleteFolder(_folder);

    private JobTestHost Host(CountingSink sink, Action<ImportJobsOptions>? jobs = null, Action<DataImportOptions>? options = null) =>
        new(new FakeTimeProvider(Start), _folder, sink, jobs, options: options);

    [Fact]
    public async Task StartAsync_UnknownEntity_ThrowsAtOnceAndQueuesNothing()
    {
        await using var host = Host(new CountingSink());
        var request = JobTestHost.Request("Name\nA\n");
        var bad = new ImportRequest { Entity = "Nope", FileType = "csv", File = request.File, Domain = "acme" };

        var act = () => host.Jobs.StartAsync(bad);

        (await act.Should().ThrowAsync<ImportValidationException>()).Which.Problems.Should().Contain(p => p.Message.Contains("Nope"));
        (await host.Jobs.ListAsync("acme")).Should().BeEmpty();
    }

    [Fact]
    public async Task Worker_EntityWithoutSink_EndsFailedSayingHowToRegisterOne()
    {
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _folder, new CountingSink(),
            configure: b => b.AddEntitiesFromJson("""{"entities": [{"name": "Supplier", "properties": [{"name": "Name", "type": "string"}]}]}"""));
        var queued = await host.Jobs.StartAsync(new ImportRequest { Entity = "Supplier", FileType = "csv", File = new MemoryStream("Name\nAcme\n"u8.ToArray()), Domain = "acme" });

        await host.StartWorkerAsync();
        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("No sink is registered for entity 'Supplier'; register one with AddSink.");
    }

    [Fact]
    public async Task StartAsync_ValidRequest_ReturnsQueuedJobThatTheWorkerCompletes()
    {
        var sink = new CountingSink();
        await using var host = Host(sink);

        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 10));
        queued.Status.Should().Be(ImportJobStatus.Queued);
        queued.CreatedDate.Should().Be(Start);
        queued.StartedDate.Should().BeNull();
        queued.Duration.Should().BeNull();
        await host.StartWorkerAsync();
        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(25);
        job.TotalItems.Should().Be(25);
        job.ProcessedItems.Should().Be(25);
        job.Progress.Should().Be(100);
        job.StartedDate.Should().Be(Start);
        job.CompletedDate.Should().Be(Start);
        job.LastHeartbeat.Should().Be(Start);
        job.Duration.Should().Be("0 seconds");
        job.Output!.ImportedCount.Should().Be(25);
        job.NotImportedDownloadUrl.Should().BeNull();
        sink.Records.Should().HaveCount(25);
    }

    [Fact]
    public async Task GetAsync_OtherDomain_ReturnsNull()
    {
        await using var host = Host(new CountingSink());
        var job = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(2), domain: "acme"));

        (await host.Jobs.GetAsync("globex", job.Id)).Should().BeNull();
        (await host.Jobs.GetAsync(null, job.Id)).Should().BeNull();
        (await host.Jobs.CancelAsync("globex", job.Id)).Should().BeNull();
        (await host.Jobs.OpenNotImportedAsync("globex", job.Id)).Should().BeNull();
        (await host.Jobs.GetAsync("acme", job.Id)).Should().NotBeNull();
    }

    [Fact]
    public async Task ListAsync_TwoDomains_ReturnsOnlyTheCallersNewestFirst()
    {
        await using var host = Host(new CountingSink());
        var first = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), domain: "acme"));
        await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), domain: "globex"));
        var second = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), domain: "acme"));

        (await host.Jobs.ListAsync("acme")).Select(j => j.Id).Should().Equal(second.Id, first.Id);
        (await host.Jobs.ListAsync("acme", skip: 1, take: 1)).Select(j => j.Id).Should().Equal(first.Id);
    }

    [Fact]
    public async Task StartAsync_FileNameWithPathTraversal_StoresUnderGeneratedNameOnly()
    {
        await using var host = Host(new CountingSink());

        var job = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), fileName: "../../etc/passwd"));

        job.FileName.Should().Be("../../etc/passwd");
        Directory.GetFiles(_folder).Select(Path.GetFileName).Should().Equal($"{job.Id}.upload");
        Directory.GetDirectories(_folder).Should().BeEmpty();
        File.Exists(Path.Combine(_folder, "../../etc/passwd")).Should().BeFalse();
    }

    [Fact]
    public async Task StartAsync_FileLargerThanLimit_ThrowsAndKeepsNothing()
    {
        await using var host = Host(new CountingSink(), options: o => o.MaxFileBytes = 100);

        var act = () => host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(50)));

        (await act.Should().ThrowAsync<ImportFileTooLargeException>()).Which.LimitBytes.Should().Be(100);
        Directory.GetFiles(_folder).Should().BeEmpty();
        (await host.Jobs.ListAsync("acme")).Should().BeEmpty();
    }

    [Fact]
    public async Task GetAsync_FinishedWithErrorRows_HasSignedLinkToNotImportedFile()
    {
        await using var host = Host(new CountingSink());
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(6, badEvery: 3)));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.ErrorCount.Should().Be(2);
        job.NotImportedDownloadUrl.Should().StartWith($"/api/v1/job/{job.Id}/not-imported?domain=acme&expires=");
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://h" + job.NotImportedDownloadUrl).Query);
        var links = (ImportDownloadLinks)host.Provider.GetService(typeof(ImportDownloadLinks))!;
        links.Validate(job.Id, query["domain"], query["expires"], query["sig"]).Should().BeTrue();
        await using var file = (await host.Jobs.OpenNotImportedAsync("acme", job.Id))!;
        var text = await new StreamReader(file, Encoding.UTF8).ReadToEndAsync();
        text.Should().StartWith("Name,Email,Balance,Row,Reason\r\nName3,c3@x.com,oops,4,");
        text.Should().Contain("Name6,c6@x.com,oops,7,");
    }

    [Fact]
    public async Task CancelAsync_QueuedJob_EndsCancelledAtOnce()
    {
        var sink = new CountingSink();
        await using var host = Host(sink);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));

        var cancelled = await host.Jobs.CancelAsync("acme", queued.Id);

        cancelled!.Status.Should().Be(ImportJobStatus.Cancelled);
        cancelled.CompletedDate.Should().Be(Start);
        (await host.Jobs.GetAsync("acme", queued.Id))!.Status.Should().Be(ImportJobStatus.Cancelled);

        // A job queued after it runs once the worker starts: by then the worker has passed the cancelled one by.
        var next = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(5)));
        await host.StartWorkerAsync();
        (await host.WaitFinishedAsync("acme", next.Id)).CreatedCount.Should().Be(5);
        sink.Records.Should().HaveCount(5, "the cancelled job wrote nothing");
        var after = (await host.Jobs.GetAsync("acme", queued.Id))!;
        (after.Status, after.CreatedCount).Should().Be((ImportJobStatus.Cancelled, 0));
    }

    [Fact]
    public async Task CancelAsync_RunningJob_EndsCancelledKeepingCommittedRows()
    {
        var sink = new CountingSink();
        // The sink hangs in batch 2, as a host that died mid-write: no write, no heartbeat, no final state.
        var held = sink.StallAt(2);
        await using var host = Host(sink);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(30), batchSize: 10));
        await host.StartWorkerAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(60));

        await host.Jobs.CancelAsync("acme", queued.Id);
        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Cancelled);
        job.CreatedCount.Should().Be(10);
        sink.Records.Should().HaveCount(10);
    }

    [Fact]
    public async Task Worker_OneDomainWith50QueuedJobs_DoesNotStarveAnotherDomain()
    {
        await using var host = Host(new CountingSink(), jobs: o => o.MaxConcurrency = 1);
        for (var i = 0; i < 50; i++)
        {
            await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), domain: "big"));
        }

        var small = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(1), domain: "small"));
        await host.StartWorkerAsync();

        await host.WaitFinishedAsync("small", small.Id);
        host.SinkDomains.Take(2).Should().Contain("small");
    }

    [Fact]
    public async Task Worker_UploadedFileGone_FailsWithClearReason()
    {
        await using var host = Host(new CountingSink());
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        File.Delete(Path.Combine(_folder, $"{queued.Id}.upload"));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Contain("uploaded file 'customers.csv'").And.Contain("no longer available");
    }

    [Fact]
    public async Task Worker_JobRunning_LastHeartbeatAdvancesWithTheClock()
    {
        var sink = new CountingSink();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sink.BeforeBatch = async (_, ct) =>
        {
            held.TrySetResult();
            await release.Task.WaitAsync(ct);
        };
        await using var host = Host(sink, jobs: o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(5);
            o.LeaseDuration = TimeSpan.FromHours(1);
        });
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();
        await held.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var running = await host.WaitForAsync("acme", queued.Id, j => j.LastHeartbeat > Start, () => host.Time.Advance(TimeSpan.FromSeconds(5)));
        release.SetResult();
        var job = await host.WaitFinishedAsync("acme", queued.Id);

        running.Status.Should().Be(ImportJobStatus.InProgress);
        job.Status.Should().Be(ImportJobStatus.Completed);
        job.LastHeartbeat.Should().BeOnOrAfter(running.LastHeartbeat!.Value);
        job.CompletedDate.Should().BeAfter(job.StartedDate!.Value);
    }

    [Fact]
    public async Task Worker_FinishedJobPastRetention_IsDeletedWithItsFiles()
    {
        await using var host = Host(new CountingSink(), jobs: o =>
        {
            o.Retention = TimeSpan.FromHours(1);
            o.CleanupInterval = TimeSpan.FromMinutes(10);
        });
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3, badEvery: 3)));
        await host.StartWorkerAsync();
        await host.WaitFinishedAsync("acme", queued.Id);
        Directory.GetFiles(_folder).Should().HaveCount(2);

        // Until the job and its files are gone: the worker deletes the job from the store, then its files, so a poll
        // between the two finds the job gone and the files still there.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await host.Jobs.GetAsync("acme", queued.Id) is not null || Directory.GetFiles(_folder).Length > 0) && DateTime.UtcNow < deadline)
        {
            host.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(20);
        }

        (await host.Jobs.GetAsync("acme", queued.Id)).Should().BeNull();
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Worker_UploadNoJobTookPastRetention_IsDeleted_AJobsUploadAndAFreshOneAreKept()
    {
        await using var host = Host(new CountingSink(), jobs: o => o.Retention = TimeSpan.FromHours(2));
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        var now = host.Time.GetUtcNow().UtcDateTime;

        // What a process killed between receiving an upload and creating its job leaves: uploads of no job, one past
        // retention and one an hour and a half old. The job's own upload is as old, and is kept because its job exists.
        var jobUpload = Path.Combine(_folder, queued.Id + ".upload");
        var abandoned = Path.Combine(_folder, "upload-killed.upload");
        var fresh = Path.Combine(_folder, "upload-recent.upload");
        var strange = Path.Combine(_folder, "not one of the store's (1).upload");
        await File.WriteAllTextAsync(strange, "kept");
        File.SetLastWriteTimeUtc(strange, now.AddHours(-3));
        await File.WriteAllTextAsync(abandoned, "Name,Email\n");
        await File.WriteAllTextAsync(fresh, "Name,Email\n");
        File.SetLastWriteTimeUtc(abandoned, now.AddHours(-3));
        File.SetLastWriteTimeUtc(fresh, now.AddHours(-1.5));
        File.SetLastWriteTimeUtc(jobUpload, now.AddHours(-3));

        await host.StartWorkerAsync();
        await host.WaitFinishedAsync("acme", queued.Id);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (File.Exists(abandoned) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        File.Exists(abandoned).Should().BeFalse("the retention pass deletes an upload no job took once it is older than retention");
        File.Exists(fresh).Should().BeTrue("an upload younger than retention may still be getting its job");
        File.Exists(jobUpload).Should().BeTrue("the job exists, so its upload stays until the job is deleted");
        File.Exists(strange).Should().BeTrue("a file whose name the store never gives is not the store's to delete");
    }
}
