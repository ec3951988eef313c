using DataImport.Pipeline;

namespace DataImport;

/// <summary>An import running on the thread pool of this process.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source is disposed when the job's task ends.")]
internal sealed class InProcessImportJob : IImportJob
{
    private readonly ImportJobState _state;
    private readonly CancellationTokenSource _cancellation = new();

    public InProcessImportJob(ImportJobState state, Func<CancellationToken, Task<ImportJobDto>> run)
    {
        _state = state;
        Completion = Task.Run(async () =>
        {
            try
            {
                return await run(_cancellation.Token).ConfigureAwait(false);
            }
            finally
            {
                _cancellation.Dispose();
            }
        });
    }

    public string Id => _state.Id;

    public ImportJobDto Current => _state.Snapshot();

    public Task<ImportJobDto> Completion { get; }

    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job already ended; nothing to cancel.
        }
    }
}
