using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>
/// The rows read since the last commit, in file order, with their source cells kept for the not-imported file: in the
/// batch's arena when rows are read and converted on one thread (<see cref="Next"/>), in the arenas of the chunks they
/// were converted in otherwise (<see cref="Add"/>).
/// </summary>
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
        pending.Reset(row, Arena, Arena.FieldTotal);
        return pending;
    }

    /// <summary>Appends a row converted elsewhere (its slot belongs to the chunk it was converted in).</summary>
    public void Add(PendingRow row) => Rows[Count++] = row;

    public void Clear()
    {
        Count = 0;
        Arena.Clear();
    }
}
