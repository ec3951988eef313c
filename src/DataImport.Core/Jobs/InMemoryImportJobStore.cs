namespace DataImport.Jobs;

/// <summary>The default job store: jobs live in this process and are lost when it stops; one lock makes every call atomic.</summary>
internal sealed class InMemoryImportJobStore : ImportJobStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private long _sequence;
    private long _claims;

    public override ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (!_jobs.TryAdd(job.Id, new Entry(job, ++_sequence)))
            {
                throw new InvalidOperationException($"A job with id '{job.Id}' exists.");
            }
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_jobs.GetValueOrDefault(id)?.Job);
        }
    }

    public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredImportJob> page = [.. _jobs.Values.Where(e => e.Domain == (domain ?? string.Empty)).OrderByDescending(e => e.Sequence).Skip(skip).Take(take).Select(e => e.Job)];
            return ValueTask.FromResult(page);
        }
    }

    public override ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var running = _jobs.Values.Where(e => e.Job.Status == ImportJobStatus.InProgress && e.Job.LeaseExpires >= now)
                .GroupBy(e => e.Domain).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var lastClaim = _jobs.Values.Where(e => e.ClaimSequence > 0)
                .GroupBy(e => e.Domain).ToDictionary(g => g.Key, g => g.Max(e => e.ClaimSequence), StringComparer.Ordinal);
            var next = _jobs.Values
                .Where(e => e.Job.Status == ImportJobStatus.Queued || (e.Job.Status == ImportJobStatus.InProgress && (e.Job.LeaseExpires is null || e.Job.LeaseExpires < now)))
                .OrderBy(e => running.GetValueOrDefault(e.Domain))
                .ThenBy(e => lastClaim.GetValueOrDefault(e.Domain))
                .ThenBy(e => e.Sequence)
                .FirstOrDefault();
            if (next is null)
            {
                return ValueTask.FromResult<StoredImportJob?>(null);
            }

            next.ClaimSequence = ++_claims;
            next.Job = next.Job with
            {
                Job = next.Job.Job with { Status = ImportJobStatus.InProgress, LastHeartbeat = now },
                WorkerId = workerId,
                LeaseExpires = leaseExpires,
                Attempts = next.Job.Attempts + 1,
            };
            return ValueTask.FromResult<StoredImportJob?>(next.Job);
        }
    }

    public override ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Held(id, workerId) is not { } entry)
            {
                return ValueTask.FromResult(ImportJobLeaseState.Lost);
            }

            entry.Job = entry.Job with { Job = entry.Job.Job with { LastHeartbeat = now }, LeaseExpires = leaseExpires };
            return ValueTask.FromResult(new ImportJobLeaseState(true, entry.Job.CancellationRequested));
        }
    }

    public override ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (Held(id, workerId) is not { } entry)
            {
                return ValueTask.FromResult(ImportJobLeaseState.Lost);
            }

            entry.Job = entry.Job with
            {
                Job = job with { Status = ImportJobStatus.InProgress, LastHeartbeat = job.LastHeartbeat ?? entry.Job.Job.LastHeartbeat },
                Checkpoint = checkpoint ?? entry.Job.Checkpoint,
                LeaseExpires = leaseExpires,
            };
            return ValueTask.FromResult(new ImportJobLeaseState(true, entry.Job.CancellationRequested));
        }
    }

    public override ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out var entry) || entry.Job.Status != expected || (workerId is not null && entry.Job.WorkerId != workerId))
            {
                return ValueTask.FromResult(false);
            }

            var finished = job.IsFinished;
            entry.Job = entry.Job with
            {
                Job = job,
                WorkerId = finished ? null : entry.Job.WorkerId,
                LeaseExpires = finished ? null : entry.Job.LeaseExpires,
            };
            return ValueTask.FromResult(true);
        }
    }

    public override ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Held(id, workerId) is not { } entry)
            {
                return ValueTask.FromResult(false);
            }

            entry.Job = entry.Job with { WorkerId = null, LeaseExpires = null };
            return ValueTask.FromResult(true);
        }
    }

    public override ValueTask<int> ReleaseLeasesOfAsync(string workerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var held = _jobs.Values.Where(e => e.Job.Status == ImportJobStatus.InProgress && e.Job.WorkerId == workerId).ToList();
            foreach (var entry in held)
            {
                entry.Job = entry.Job with { WorkerId = null, LeaseExpires = null };
            }

            return ValueTask.FromResult(held.Count);
        }
    }

    public override ValueTask<StoredImportJob?> GetOldestQueuedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_jobs.Values.Where(e => e.Job.Status == ImportJobStatus.Queued).MinBy(e => e.Sequence)?.Job);
        }
    }

    public override ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out var entry) || entry.Job.Job.IsFinished)
            {
                return ValueTask.FromResult(false);
            }

            entry.Job = entry.Job with { CancellationRequested = true };
            return ValueTask.FromResult(true);
        }
    }

    public override ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var old = _jobs.Values.Where(e => e.Job.Job.IsFinished && (e.Job.Job.CompletedDate ?? e.Job.Job.UpdatedAt) < completedBefore).ToList();
            foreach (var entry in old)
            {
                _jobs.Remove(entry.Job.Id);
            }

            IReadOnlyList<StoredImportJob> deleted = [.. old.Select(e => e.Job)];
            return ValueTask.FromResult(deleted);
        }
    }

    private Entry? Held(string id, string workerId) =>
        _jobs.TryGetValue(id, out var entry) && entry.Job.Status == ImportJobStatus.InProgress && entry.Job.WorkerId == workerId ? entry : null;

    private sealed class Entry(StoredImportJob job, long sequence)
    {
        public StoredImportJob Job { get; set; } = job;

        public long Sequence { get; } = sequence;

        public long ClaimSequence { get; set; }

        public string Domain => Job.Domain ?? string.Empty;
    }
}
