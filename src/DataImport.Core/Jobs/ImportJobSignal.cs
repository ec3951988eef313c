using System.Collections.Concurrent;

namespace DataImport.Jobs;

/// <summary>Wakes the worker of this process when a job is queued here, so it need not wait for its next poll.</summary>
internal sealed class ImportJobSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes at the next <see cref="Notify"/>; take it before looking for work so no signal is missed.</summary>
    public Task WaitAsync() => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>The jobs running in this process, so a cancel request made here stops them at once instead of at the next heartbeat.</summary>
internal sealed class RunningImportJobs
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _jobs = new(StringComparer.Ordinal);

    public void Add(string id, CancellationTokenSource cancellation) => _jobs[id] = cancellation;

    public void Remove(string id) => _jobs.TryRemove(id, out _);

    public bool IsRunning(string id) => _jobs.ContainsKey(id);

    public void Cancel(string id)
    {
        if (_jobs.TryGetValue(id, out var cancellation))
        {
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The job ended meanwhile.
            }
        }
    }
}
