using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DataImport.HealthChecks.Tests;

/// <summary>
/// The metrics as an OpenTelemetry exporter receives them, configured as the README shows. An OpenTelemetry
/// meter provider listens to every meter named "DataImport" in the process, whichever container made it, so
/// these tests run alone: another test's upload would otherwise land in the sums.
/// </summary>
[Collection(nameof(TelemetryTests))]
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task BackgroundImport_WithOpenTelemetry_ExportsRowsJobsDurationAndUploadSizeWithTheirUnits()
    {
        var folder = JobTestHost.NewFolder();
        var exported = new List<Metric>();
        var csv = JobTestHost.CustomersCsv(10, badEvery: 5);
        try
        {
            await using var host = new JobTestHost(new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero)), folder, new CountingSink(), configure: b =>
                b.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("DataImport").AddInMemoryExporter(exported)));
            var meters = host.Provider.GetRequiredService<MeterProvider>();

            var queued = await host.Jobs.StartAsync(JobTestHost.Request(csv, batchSize: 4));
            await host.StartWorkerAsync();
            (await host.WaitFinishedAsync("acme", queued.Id)).Status.Should().Be(ImportJobStatus.Completed);
            // The run counts the job and records its duration after it has ended the job in the store, so a poll can see
            // the job ended before they are recorded: stopping the worker waits for the run to return.
            await host.Worker.StopAsync(CancellationToken.None);
            meters.ForceFlush().Should().BeTrue();

            var metrics = exported.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
            metrics.Keys.Should().BeEquivalentTo("dataimport.rows", "dataimport.jobs", "dataimport.job.duration", "dataimport.upload.size");
            metrics.Values.Should().OnlyContain(m => m.MeterName == "DataImport");
            (metrics["dataimport.rows"].Unit, metrics["dataimport.jobs"].Unit, metrics["dataimport.job.duration"].Unit, metrics["dataimport.upload.size"].Unit)
                .Should().Be(("{row}", "{job}", "s", "By"));
            Sums(metrics["dataimport.rows"], "dataimport.row.outcome").Should().BeEquivalentTo(new Dictionary<string, long> { ["created"] = 8, ["error"] = 2 });
            Sums(metrics["dataimport.jobs"], "dataimport.job.status").Should().BeEquivalentTo(new Dictionary<string, long> { ["completed"] = 1 });
            Points(metrics["dataimport.upload.size"]).Single().GetHistogramSum().Should().Be(System.Text.Encoding.UTF8.GetByteCount(csv));
            Points(metrics["dataimport.job.duration"]).Single().GetHistogramCount().Should().Be(1);
        }
        finally
        {
            JobTestHost.DeleteFolder(folder);
        }
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    /// <summary>The counter's sums by the value of one attribute; every point also carries the entity.</summary>
    private static Dictionary<string, long> Sums(Metric metric, string attribute)
    {
        var sums = new Dictionary<string, long>();
        foreach (var point in Points(metric))
        {
            string? value = null;
            string? entity = null;
            foreach (var tag in point.Tags)
            {
                value = tag.Key == attribute ? (string?)tag.Value : value;
                entity = tag.Key == "dataimport.entity" ? (string?)tag.Value : entity;
            }

            entity.Should().Be("Customer");
            sums[value!] = sums.GetValueOrDefault(value!) + point.GetSumLong();
        }

        return sums;
    }
}
