using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataImport.Diagnostics;
using DataImport.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Diagnostics;

public sealed class ImportDiagnosticsTests
{
    [Fact]
    public async Task Worker_JobEnds_RecordsRowsJobsDurationAndASpan()
    {
        var folder = JobTestHost.NewFolder();
        await using var host = new JobTestHost(new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero)), folder, new CountingSink());
        var meter = host.Provider.GetRequiredService<ImportMetrics>().Meter;
        var measurements = new ConcurrentBag<(string Instrument, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tag(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tag(tags))));
        listener.Start();
        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "DataImport",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(9, badEvery: 3), batchSize: 4));
        await host.StartWorkerAsync();
        await host.WaitFinishedAsync("acme", queued.Id);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!spans.Any(s => (string?)s.GetTagItem("dataimport.job.id") == queued.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        measurements.Where(m => m.Instrument == "dataimport.rows" && m.Tag == "Created").Sum(m => m.Value).Should().Be(6);
        measurements.Where(m => m.Instrument == "dataimport.rows" && m.Tag == "Error").Sum(m => m.Value).Should().Be(3);
        measurements.Where(m => m.Instrument == "dataimport.jobs").Select(m => m.Tag).Should().Equal("Completed");
        measurements.Should().ContainSingle(m => m.Instrument == "dataimport.job.duration");
        var span = spans.Single(s => (string?)s.GetTagItem("dataimport.job.id") == queued.Id);
        span.OperationName.Should().Be("DataImport.Job");
        span.GetTagItem("dataimport.status").Should().Be("Completed");
        span.GetTagItem("dataimport.domain").Should().Be("acme");
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            return tag.Value?.ToString();
        }

        return null;
    }
}
