using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>The rows read since the last commit, in file order, with their source cells kept for the not-imported file.</summary>
internal sealed class RowBatch(PendingRow[] rows)
{
    public PendingRow[] Rows { get; } = rows;

    public int Count { get; set; }

    public RawRowArena Arena { get; } = new();

    public bool IsFull => Count == Rows.Length;

    public int LastRow => Rows[Count - 1].Row;

    /// <summary>The next row slot, reset for row <paramref name="row"/>.</summary>
    public PendingRow Next(int row)
    {
        var pending = Rows[Count] ??= new PendingRow();
        pending.Reset(row, Arena.FieldTotal);
        return pending;
    }

    public void Clear()
    {
        Count = 0;
        Arena.Clear();
    }
}
