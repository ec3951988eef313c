using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>
/// One job as a stream of server-sent events: a <c>progress</c> event whenever the job changed (status, counters, total,
/// heartbeat), looked at every <see cref="DataImportEndpointOptions.ProgressEventInterval"/>, then one <c>finished</c>
/// event with the ended job, and the stream ends. Each event's data is the job object of <c>GET job/{id}</c> plus
/// <c>rowsPerSecond</c> and <c>etaSeconds</c> (<see cref="JobRate"/>). A job already ended gives its <c>finished</c> event
/// alone; a job deleted meanwhile (retention) ends the stream.
/// </summary>
internal sealed class JobEvents(
    IImportJobService jobs, string? domain, ImportJobDto first, HttpRequest request, string prefix, JsonSerializerOptions json, TimeSpan interval, TimeProvider time)
{
    /// <summary>The event type of a job still queued or running.</summary>
    public const string Progress = "progress";

    /// <summary>The event type of the last event, the ended job.</summary>
    public const string Finished = "finished";

    public async IAsyncEnumerable<SseItem<string>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ImportJobDto? sent = null;
        var job = first;
        while (true)
        {
            if (sent is null || Changed(sent, job))
            {
                yield return Event(job);
                sent = job;
            }

            if (job.IsFinished)
            {
                yield break;
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            if (await jobs.GetAsync(domain, job.Id, cancellationToken).ConfigureAwait(false) is not { } next)
            {
                yield break;
            }

            job = next;
        }
    }

    private SseItem<string> Event(ImportJobDto job)
    {
        var (rate, eta) = JobRate.Of(job);
        var data = JobResponse.From(job, request, prefix) with { RowsPerSecond = rate, EtaSeconds = eta };
        return new SseItem<string>(JsonSerializer.Serialize(data, json), job.IsFinished ? Finished : Progress);
    }

    private static bool Changed(ImportJobDto before, ImportJobDto now) =>
        before.Status != now.Status || before.ProcessedItems != now.ProcessedItems || before.TotalItems != now.TotalItems
        || before.UpdatedAt != now.UpdatedAt || before.LastHeartbeat != now.LastHeartbeat;
}
