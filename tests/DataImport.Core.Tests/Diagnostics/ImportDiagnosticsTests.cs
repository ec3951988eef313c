using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
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
        var measurements = new ConcurrentBag<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, i.Unit, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, i.Unit, v, Tags(tags))));
        listener.Start();
        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "DataImport",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(9, 3), batchSize: 4));
        await host.StartWorkerAsync();
        await host.WaitFinishedAsync("acme", queued.Id);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!spans.Any(s => (string?)s.GetTagItem("dataimport.job.id") == queued.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var rows = measurements.Where(m => m.Instrument == "dataimport.rows").ToList();
        rows.Should().OnlyContain(m => m.Unit == "{row}" && (string?)m.Tags["dataimport.entity"] == "Customer");
        rows.Where(m => (string?)m.Tags["dataimport.row.outcome"] == "created").Sum(m => m.Value).Should().Be(6);
        rows.Where(m => (string?)m.Tags["dataimport.row.outcome"] == "error").Sum(m => m.Value).Should().Be(3);
        measurements.Where(m => m.Instrument == "dataimport.jobs").Select(m => (m.Unit, m.Value, m.Tags["dataimport.job.status"])).Should().Equal(("{job}", 1d, "completed"));
        measurements.Should().ContainSingle(m => m.Instrument == "dataimport.job.duration").Which.Unit.Should().Be("s");
        measurements.Should().ContainSingle(m => m.Instrument == "dataimport.upload.size")
            .Which.Should().Match<(string, string? Unit, double Value, Dictionary<string, object?>)>(m => m.Unit == "By" && m.Value == Encoding.UTF8.GetByteCount(JobTestHost.CustomersCsv(9, 3)));
        var span = spans.Single(s => (string?)s.GetTagItem("dataimport.job.id") == queued.Id);
        span.OperationName.Should().Be("DataImport.Job");
        span.GetTagItem("dataimport.status").Should().Be("Completed");
        span.GetTagItem("dataimport.domain").Should().Be("acme");
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            all[tag.Key] = tag.Value;
        }

        return all;
    }
}
