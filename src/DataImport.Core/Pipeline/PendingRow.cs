using DataImport.Validation;

namespace DataImport.Pipeline;

/// <summary>
/// One row of the current batch as it moves through the stages: read (its source text in the batch's arena),
/// converted and validated (its record and key, or its problems), then decided (its outcome). Reused across batches.
/// </summary>
internal sealed class PendingRow
{
    public int Row;
    public int RawStart;
    public int RawCount;
    public object? Record;
    public ImportKey? Key;
    public RowOutcome? Outcome;
    public string? RowReason;
    public string? RowReasonCode;
    public readonly List<FieldProblem> Problems = [];

    public void Reset(int row, int rawStart)
    {
        Row = row;
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
