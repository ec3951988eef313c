namespace DataImport.Reading;

/// <summary>
/// When a run that converts on every core lets the progress count read (<see cref="IdleGate"/>): while the run waits for
/// its sink (a database at work leaves a core idle), and for good once the run has lasted <see cref="OpenAfter"/>.
/// </summary>
/// <remarks>
/// A run bound by the processor alone would otherwise pay for the count with a core (about 9% of a 1M-row import on 2
/// cores), for a total it would only show for a fraction of a second. A run that lasts longer needs the total for its
/// progress (which stays at 0% without it), also when its sink does its work on the importing thread (SQLite does) and
/// the run never waits on it; there the count costs a few percent of a run that long at most. Used by the importing
/// flow only.
/// </remarks>
internal sealed class RunCountGate(IdleGate gate, TimeProvider time)
{
    /// <summary>How long a run goes before the count may read at any time.</summary>
    public static readonly TimeSpan OpenAfter = TimeSpan.FromSeconds(1);

    private readonly long _started = time.GetTimestamp();
    private bool _openForGood;

    /// <summary>Waits for a pending commit, with the gate open meanwhile when the commit has not finished yet.</summary>
    public async Task AwaitCommitAsync(Task committing)
    {
        if (_openForGood || committing.IsCompleted)
        {
            await committing.ConfigureAwait(false);
            return;
        }

        gate.Open();
        try
        {
            await committing.ConfigureAwait(false);
        }
        finally
        {
            if (!_openForGood)
            {
                gate.Close();
            }
        }
    }

    /// <summary>Opens the gate for good once the run has lasted <see cref="OpenAfter"/>; called after each batch.</summary>
    public void OpenIfLong()
    {
        if (!_openForGood && time.GetElapsedTime(_started) >= OpenAfter)
        {
            _openForGood = true;
            gate.Open();
        }
    }
}
