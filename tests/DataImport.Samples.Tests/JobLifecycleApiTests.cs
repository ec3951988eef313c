using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Samples.Tests;

public sealed class JobLifecycleApiTests
{
    [Fact]
    public async Task Cancel_RunningJob_EndsCancelledKeepingCommittedRecords()
    {
        await using var host = await WebApiTestHost.StartAsync();
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
}
