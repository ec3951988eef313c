using DataImport.Reading;
using DataImport.Validation;

namespace DataImport.Pipeline;

/// <summary>
/// One row of the current batch as it moves through the stages: read (its source text in the batch's arena),
/// converted and validated (its record and key, or its problems), then decided (its outcome). Reused across batches.
/// </summary>
internal sealed class PendingRow
{
    public int Row;

    /// <summary>The arena holding the row's source cells (the batch's, or the chunk's it was converted in), when they are kept.</summary>
    public RawRowArena? Raw;
    public int RawStart;
    public int RawCount;
    public object? Record;
    public ImportKey? Key;
    public RowOutcome? Outcome;
    public string? RowReason;
    public string? RowReasonCode;
    public readonly List<FieldProblem> Problems = [];

    public void Reset(int row, RawRowArena? raw, int rawStart)
    {
        Row = row;
        Raw = raw;
        RawStart = rawStart;
        RawCount = 0;
        Record = null;
        Key = null;
        Outcome = null;
        RowReason = null;
        RowReasonCode = null;
        Problems.Clear();
    }

    public string Reason()
    {
        if (Problems.Count == 0)
        {
            return RowReason ?? string.Empty;
        }

        return string.Join("; ", Problems.Select(p => p.Describe()));
    }
}
