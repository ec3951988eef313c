using System.Data.Common;
using System.Text;
using DataImport.Jobs;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

/// <summary>
/// The sink's database goes away mid-import (restarting, failing over): its driver throws an error it calls transient.
/// No row is to blame, so none is marked not saved; a background job ends the attempt and resumes from its last
/// checkpoint a lease later, and a direct run ends failed keeping what it wrote.
/// </summary>
public sealed class JobTransientErrorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();
    private readonly string _cleanFolder = JobTestHost.NewFolder();

    public void Dispose()
    {
        JobTestHost.DeleteFolder(_folder);
        JobTestHost.DeleteFolder(_cleanFolder);
    }

    /// <summary>What a database driver throws when the server ends the connection (as Npgsql's 57P01 or a dropped socket).</summary>
    private sealed class ServerRestartingException : DbException
    {
        public ServerRestartingException()
            : base("terminating connection due to administrator command")
        {
        }

        public override bool IsTransient => true;
    }

    private static string File25 => JobTestHost.CustomersCsv(25, badEvery: 4);

    private async Task<(ImportJobDto Job, string NotImported)> CleanRunAsync()
    {
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _cleanFolder, new CountingSink());
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(File25, batchSize: 5));
        await host.StartWorkerAsync();
        var job = await host.WaitFinishedAsync("acme", queued.Id);
        return (job, await NotImportedAsync(host, queued.Id));
    }

    private static async Task<string> NotImportedAsync(JobTestHost host, string id)
    {
        await using var file = (await host.Jobs.OpenNotImportedAsync("acme", id))!;
        using var reader = new StreamReader(file, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Worker_SinksDatabaseRestartsMidJob_AttemptEnds_ResumedJobEqualsACleanRun()
    {
        var clean = await CleanRunAsync();
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        var sink = new CountingSink();
        var failed = 0;
        sink.BeforeBatch = (n, _) => n == 3 && Interlocked.Increment(ref failed) == 1 ? throw new ServerRestartingException() : Task.CompletedTask;
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _folder, sink, configure: b => b.UseJobStore(_ => store));
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(File25, batchSize: 5));
        await host.StartWorkerAsync();

        // The first attempt stops at batch 3 and keeps its lease; the clock moves on until a worker takes the job again.
        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromSeconds(10)));

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        store.Claims.Should().HaveCount(2, "the attempt that met the error ended, and a second one finished the job");
        (job.CreatedCount, job.UpdatedCount, job.ErrorCount).Should().Be((clean.Job.CreatedCount, clean.Job.UpdatedCount, clean.Job.ErrorCount));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(clean.Job.Errors.Select(e => (e.Row, e.Message)));
        job.Errors.Should().NotContain(e => e.Message.Contains("not saved", StringComparison.Ordinal));
        (await NotImportedAsync(host, queued.Id)).Should().Be(clean.NotImported);
        sink.Writes.Values.Should().OnlyContain(n => n == 1, "no row is written twice");
        sink.Records.Should().HaveCount(clean.Job.CreatedCount);
    }

    [Fact]
    public async Task Worker_SinksDatabaseStaysDown_JobFailsAfterMaxAttemptsWithoutBlamingARow()
    {
        var store = new FlakyJobStore(new InMemoryImportJobStore());
        var sink = new CountingSink { BeforeBatch = (_, _) => throw new ServerRestartingException() };
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _folder, sink, configure: b => b.UseJobStore(_ => store));
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(File25, batchSize: 5));
        await host.StartWorkerAsync();

        var job = await host.WaitForAsync("acme", queued.Id, j => j.IsFinished, () => host.Time.Advance(TimeSpan.FromSeconds(10)));

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The import could not run after 3 attempts; the details are in the server log (job {queued.Id}).");
        store.Claims.Should().HaveCount(4, "three attempts met the error; the fourth claim ends the job");
        (job.CreatedCount, job.ErrorCount).Should().Be((0, 0), "no row was written, and none is to blame");
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_SinksDatabaseGoesAwayAtTheThirdBatch_EndsFailedKeepingTheFirstTwoBatches()
    {
        var engine = TestEngine.Customers(o => o.MaxDegreeOfParallelism = 1);
        var sink = new CountingSink { BeforeBatch = (n, _) => n == 3 ? throw new ServerRestartingException() : Task.CompletedTask };

        var job = await engine.RunAsync(JobTestHost.Request(JobTestHost.CustomersCsv(25), batchSize: 5), sink);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("The import stopped: the database could not be reached; rows written before stay; the details are in the server log");
        (job.CreatedCount, job.ErrorCount).Should().Be((10, 0), "the two batches before it are written, and no row of the third is blamed");
        sink.Records.Should().HaveCount(10);
    }
}
