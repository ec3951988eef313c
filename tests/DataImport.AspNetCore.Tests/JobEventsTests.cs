using System.Net.ServerSentEvents;
using System.Text.Json;

namespace DataImport.AspNetCore.Tests;

/// <summary><c>GET job/{id}/events</c>: the job as server-sent events, read with a real HTTP client until the job ends.</summary>
public sealed class JobEventsTests
{
    [Fact]
    public async Task Events_RunningImport_ProgressThenOneFinishedEventWithTheEndedJob()
    {
        await using var host = await PackageTestHost.StartAsync(o => o.ProgressEventInterval = TimeSpan.FromMilliseconds(20));
        // The job's first write waits until the stream has sent its first event: on a fast machine the whole import
        // could otherwise end before the request arrives (then the only event is "finished", tested below).
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Customers.HoldWrites = released;
        var id = await host.StartImportAsync("d1", rows: 60_000, badRowEvery: 1000);

        var events = await ReadEventsAsync(host, $"/api/v1/job/{id}/events", "d1", onEvent: _ => released.TrySetResult());

        events.Should().HaveCountGreaterThan(1);
        events.Take(events.Count - 1).Should().OnlyContain(e => e.EventType == "progress");
        var last = events[^1];
        last.EventType.Should().Be("finished");
        var job = JsonDocument.Parse(last.Data).RootElement;
        job.GetProperty("id").GetString().Should().Be(id);
        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("processedItems").GetInt32().Should().Be(60_000);
        job.GetProperty("createdCount").GetInt32().Should().Be(59_940);
        job.GetProperty("errorCount").GetInt32().Should().Be(60);
        job.GetProperty("rowsPerSecond").GetDouble().Should().BeGreaterThan(0);
        job.GetProperty("etaSeconds").GetDouble().Should().Be(0);
        job.GetProperty("notImportedDownloadUrl").GetString().Should().StartWith(host.Client.BaseAddress + "api/v1/job/" + id + "/not-imported?");

        var processed = events.Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("processedItems").GetInt32()).ToList();
        processed.Should().BeInAscendingOrder("progress only moves forward");
        host.Customers.For("d1").Records.Should().HaveCount(59_940);
    }

    [Fact]
    public async Task Events_JobAlreadyEnded_OneFinishedEvent()
    {
        await using var host = await PackageTestHost.StartAsync();
        var id = await host.StartImportAsync("d1", rows: 10);
        await host.WaitAsync(id, "d1");

        var events = await ReadEventsAsync(host, $"/api/v1/job/{id}/events", "d1");

        events.Should().ContainSingle().Which.EventType.Should().Be("finished");
        JsonDocument.Parse(events[0].Data).RootElement.GetProperty("createdCount").GetInt32().Should().Be(10);
    }

    [Fact]
    public async Task Events_JobOfAnotherDomain_404LikeAnUnknownJob()
    {
        await using var host = await PackageTestHost.StartAsync();
        var id = await host.StartImportAsync("d1", rows: 10);

        var (status, _, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, $"/api/v1/job/{id}/events", "d2", "d2"));
        var (unknown, _, _) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/job/no-such-job/events", "d2", "d2"));

        status.Should().Be(404);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("id");
        unknown.Should().Be(404);
    }

    [Fact]
    public async Task Events_WithoutCredentials_401()
    {
        await using var host = await PackageTestHost.StartAsync();
        var id = await host.StartImportAsync("d1", rows: 10);

        var (status, _, _) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, $"/api/v1/job/{id}/events", "d1"));

        status.Should().Be(401);
    }

    private static async Task<List<SseItem<string>>> ReadEventsAsync(PackageTestHost host, string path, string domain, Action<SseItem<string>>? onEvent = null)
    {
        using var request = PackageTestHost.Request(HttpMethod.Get, path, domain, domain);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await ErrorTextAsync(response));
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        await using var stream = await response.Content.ReadAsStreamAsync();
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            events.Add(item);
            onEvent?.Invoke(item);
        }

        return events;
    }

    private static async Task<string> ErrorTextAsync(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync();
}
