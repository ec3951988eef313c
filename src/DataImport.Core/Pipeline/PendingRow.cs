namespace DataImport.Pipeline;

/// <summary>A row read and converted, waiting in the current batch for its outcome. Reused across batches.</summary>
internal sealed class PendingRow
{
    public int Row;
    public int RawStart;
    public int RawCount;
    public object? Record;
    public ImportKey? Key;
    public RowOutcome? Outcome;
    public string? RowReason;
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

/// <summary>One failing field of a row (or the row as a whole when <see cref="Column"/> and <see cref="Property"/> are null).</summary>
internal readonly record struct FieldProblem(int? Column, string? Property, string Message, bool MissingValue = false)
{
    public string Describe() => (Property, Column) switch
    {
        (not null, not null) => $"{Property} (column {Column}): {Message}",
        (not null, null) => $"{Property}: {Message}",
        _ => Message,
    };
}
