using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataImport.Diagnostics;

/// <summary>
/// The library's metrics, on a meter named <c>DataImport</c>, named and measured after the OpenTelemetry semantic
/// conventions (dotted lower-case names under <c>dataimport.</c>, UCUM units, attributes namespaced the same way with
/// lower-case values):
/// <list type="bullet">
/// <item><description><c>dataimport.rows</c> (counter, <c>{row}</c>): rows processed by background jobs, by
/// <c>dataimport.entity</c> and <c>dataimport.row.outcome</c> (<c>created</c>, <c>updated</c>, <c>skipped</c>, <c>error</c>).</description></item>
/// <item><description><c>dataimport.jobs</c> (counter, <c>{job}</c>): jobs ended, by <c>dataimport.entity</c> and
/// <c>dataimport.job.status</c> (<c>completed</c>, <c>failed</c>, <c>cancelled</c>).</description></item>
/// <item><description><c>dataimport.job.duration</c> (histogram, <c>s</c>): how long jobs ran, start to end, by the same attributes.</description></item>
/// <item><description><c>dataimport.upload.size</c> (histogram, <c>By</c>): the size of the files queued as jobs, by <c>dataimport.entity</c>.</description></item>
/// </list>
/// The job's domain (a tenant: unbounded) is not an attribute; it is on the job's span. The meter comes from the
/// container's <see cref="IMeterFactory"/> when there is one, so each container has its own.
/// </summary>
internal sealed class ImportMetrics : IDisposable
{
    public const string Name = "DataImport";

    private readonly bool _ownsMeter;

    public ImportMetrics(IMeterFactory? meters = null)
    {
        var version = typeof(ImportMetrics).Assembly.GetName().Version?.ToString();
        _ownsMeter = meters is null;
        Meter = meters?.Create(new MeterOptions(Name) { Version = version }) ?? new Meter(Name, version);
        Rows = Meter.CreateCounter<long>("dataimport.rows", "{row}", "Rows processed by background import jobs, by outcome.");
        Jobs = Meter.CreateCounter<long>("dataimport.jobs", "{job}", "Background import jobs ended, by final status.");
        Duration = Meter.CreateHistogram(
            "dataimport.job.duration",
            "s",
            "How long background import jobs ran, from start to end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200] });
        UploadSize = Meter.CreateHistogram(
            "dataimport.upload.size",
            "By",
            "The size of the files queued as background import jobs.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1 << 10, 16 << 10, 128 << 10, 1 << 20, 8 << 20, 32 << 20, 128 << 20, 512 << 20, 1 << 30] });
    }

    public Meter Meter { get; }

    public Counter<long> Rows { get; }

    public Counter<long> Jobs { get; }

    public Histogram<double> Duration { get; }

    public Histogram<long> UploadSize { get; }

    public void RecordRows(string entity, RowOutcome outcome, long count)
    {
        if (count > 0)
        {
            Rows.Add(count, new KeyValuePair<string, object?>("dataimport.entity", entity), new KeyValuePair<string, object?>("dataimport.row.outcome", Lower(outcome)));
        }
    }

    public void RecordJob(ImportJobDto job)
    {
        var entity = new KeyValuePair<string, object?>("dataimport.entity", job.Entity);
        var status = new KeyValuePair<string, object?>("dataimport.job.status", Lower(job.Status));
        Jobs.Add(1, entity, status);
        if (job is { StartedDate: { } start, CompletedDate: { } end })
        {
            Duration.Record(Math.Max(0, (end - start).TotalSeconds), entity, status);
        }
    }

    public void RecordUpload(string entity, long bytes) =>
        UploadSize.Record(bytes, new KeyValuePair<string, object?>("dataimport.entity", entity));

    public void Dispose()
    {
        // A meter from the factory is the factory's to dispose.
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private static string Lower(RowOutcome outcome) => outcome switch
    {
        RowOutcome.Created => "created",
        RowOutcome.Updated => "updated",
        RowOutcome.Skipped => "skipped",
        RowOutcome.Error => "error",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static string Lower(ImportJobStatus status) => status switch
    {
        ImportJobStatus.Completed => "completed",
        ImportJobStatus.Failed => "failed",
        ImportJobStatus.Cancelled => "cancelled",
        ImportJobStatus.Queued => "queued",
        ImportJobStatus.InProgress => "in_progress",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>The library's traces: an <see cref="ActivitySource"/> named <c>DataImport</c> with a span per background job.</summary>
internal static class ImportActivity
{
    public static readonly ActivitySource Source = new(ImportMetrics.Name);
}
