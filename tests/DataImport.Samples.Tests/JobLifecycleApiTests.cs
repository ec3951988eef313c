using System.Text;
using DataImport.Samples.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Samples.Tests;

public sealed class JobLifecycleApiTests
{
    [Fact]
    public async Task Cancel_RunningJob_EndsCancelledKeepingCommittedRecords()
    {
        // The job's writes after its first batch wait until the test has cancelled it: the poll below then finds it running
        // with rows written, whatever the machine's speed (a fast one could otherwise import the whole file between two
        // polls, and the job would end COMPLETED before the cancel).
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await WebApiTestHost.StartAsync(builder => builder.Services.AddDataImport().AddSink<ImportRecord>(
            (sp, context) => new HeldAfterFirstBatch(sp.GetRequiredService<SqliteRecordStore>().CreateSink(context.Entity, context.Domain), released.Task),
            "Customer"));
        var csv = new StringBuilder("Name,Email,Balance\n");
        for (var i = 0; i < 300_000; i++)
        {
            csv.Append("Person ").Append(i).Append(",p").Append(i).Append("@x.com,").Append(i % 1000).Append('\n');
        }

        var form = WebApiTestHost.ImportForm(new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString())), "many.csv", mapping: """{"1":"Name","2":"Email","3":"Balance"}""");
        var (status, started) = await host.PostImportAsync(form, "t1");
        status.Should().Be(200, started.ToString());
        var id = started.GetProperty("data").GetProperty("id").GetString()!;

        // Wait until rows are being written, then cancel over HTTP.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (_, body) = await host.GetAsync($"/api/v1/job/{id}", "t1");
            var job = body.GetProperty("data");
            if (job.GetProperty("status").GetString() == "IN_PROGRESS" && job.GetProperty("processedItems").GetInt32() > 0)
            {
                break;
            }

            job.GetProperty("status").GetString().Should().BeOneOf(["QUEUED", "IN_PROGRESS"], "the job should still run");
            DateTime.UtcNow.Should().BeBefore(deadline);
            await Task.Delay(20);
        }

        var (cancelStatus, _) = await host.SendAsync(host.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "t1"));
        // Had the cancel not reached the held write, the job would now go on and import the rest of the file.
        released.SetResult();
        var final = await host.WaitAsync(id, "t1");

        cancelStatus.Should().Be(200);
        final.GetProperty("status").GetString().Should().Be("CANCELLED");
        var imported = final.GetProperty("createdCount").GetInt32();
        imported.Should().BeInRange(1, 299_999);
        final.GetProperty("jobEnd").GetString().Should().NotBeNullOrEmpty();
        var (_, records) = await host.GetAsync("/api/v1/entities/Customer/records?page=1&pageSize=1", "t1");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(imported, "rows committed before the cancel stay, and only those");
    }

    [Fact]
    public async Task NotImportedLink_After61Minutes_IsExpired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await WebApiTestHost.StartAsync(builder => builder.Services.AddSingleton<TimeProvider>(time));
        var job = await host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t2");
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;

        using (var fresh = await host.Client.GetAsync(link))
        {
            fresh.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        }

        time.Advance(TimeSpan.FromMinutes(61));
        var (status, body) = await host.SendAsync(new HttpRequestMessage(HttpMethod.Get, link));

        status.Should().Be(403);
        body.GetProperty("error").GetBoolean().Should().BeTrue();
    }

    /// <summary>The sample's SQLite sink for a job, whose writes after the first wait until released (or the job is cancelled).</summary>
    private sealed class HeldAfterFirstBatch(ImportSink<ImportRecord> inner, Task released) : ImportSink<ImportRecord>
    {
        private int _writes;

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(keys, cancellationToken);

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, CancellationToken cancellationToken)
        {
            await HoldAsync(cancellationToken);
            await inner.WriteAsync(batch, cancellationToken);
        }

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, ImportJobCommit commit, CancellationToken cancellationToken)
        {
            await HoldAsync(cancellationToken);
            await inner.WriteAsync(batch, commit, cancellationToken);
        }

        private async Task HoldAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _writes) > 1)
            {
                await released.WaitAsync(cancellationToken);
            }
        }
    }
}
