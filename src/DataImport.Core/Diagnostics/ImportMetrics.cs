using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataImport.Diagnostics;

/// <summary>
/// The library's metrics, on a meter named <c>DataImport</c>: rows by outcome, jobs by final status, and job duration.
/// One instance per container; it disposes its meter with the container.
/// </summary>
internal sealed class ImportMetrics : IDisposable
{
    public const string Name = "DataImport";

    public ImportMetrics()
    {
        Meter = new Meter(Name, typeof(ImportMetrics).Assembly.GetName().Version?.ToString());
        Rows = Meter.CreateCounter<long>("dataimport.rows", "{row}", "Rows processed by background jobs, tagged by outcome.");
        Jobs = Meter.CreateCounter<long>("dataimport.jobs", "{job}", "Background jobs ended, tagged by final status.");
        Duration = Meter.CreateHistogram<double>("dataimport.job.duration", "s", "How long background jobs ran, from start to end.");
    }

    public Meter Meter { get; }

    public Counter<long> Rows { get; }

    public Counter<long> Jobs { get; }

    public Histogram<double> Duration { get; }

    public void RecordRows(RowOutcome outcome, long count)
    {
        if (count > 0)
        {
            Rows.Add(count, new KeyValuePair<string, object?>("outcome", outcome.ToString()));
        }
    }

    public void RecordJob(ImportJobDto job)
    {
        Jobs.Add(1, new KeyValuePair<string, object?>("status", job.Status.ToString()));
        if (job is { StartedDate: { } start, CompletedDate: { } end })
        {
            Duration.Record(Math.Max(0, (end - start).TotalSeconds), new KeyValuePair<string, object?>("status", job.Status.ToString()));
        }
    }

    public void Dispose() => Meter.Dispose();
}

/// <summary>The library's traces: an <see cref="ActivitySource"/> named <c>DataImport</c> with a span per background job.</summary>
internal static class ImportActivity
{
    public static readonly ActivitySource Source = new(ImportMetrics.Name);
}
