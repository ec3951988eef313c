using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataImport.Reading;

/// <summary>
/// Holds the source text of a batch's rows in one reusable char buffer, so keeping every row of a batch for
/// the not-imported file costs no allocation per row.
/// </summary>
internal sealed class RawRowArena
{
    private char[] _chars = new char[4096];
    private int[] _starts = new int[256];
    private int[] _ends = new int[256];
    private int _length;
    private int _fields;

    public int FieldTotal => _fields;

    /// <summary>Gets the number of chars held.</summary>
    public int Length => _length;

    /// <summary>Gets the size of the char buffer.</summary>
    public int Capacity => _chars.Length;

    public void Clear()
    {
        _length = 0;
        _fields = 0;
    }

    /// <summary>Empties the arena and wipes its text, so an arena kept for a later import holds none of this one's.</summary>
    public void Wipe()
    {
        Array.Clear(_chars, 0, _length);
        Clear();
    }

    /// <summary>Appends a field: its text is copied to the end of the buffer.</summary>
    public void Append(ReadOnlySpan<char> text) => AddField(Copy(text), text.Length);

    /// <summary>
    /// Appends a row's fields with one copy where it can: <paramref name="row"/> (the row's text as the file holds it)
    /// is copied once, and each field lying inside it becomes a range of that copy; a field that does not (unescaped
    /// elsewhere) is copied on its own after it.
    /// </summary>
    public void AppendRow(ReadOnlySpan<char> row, RowSource source, int count)
    {
        var at = Copy(row);
        if (_fields + count > _ends.Length)
        {
            Array.Resize(ref _starts, Math.Max(_ends.Length * 2, _fields + count));
            Array.Resize(ref _ends, _starts.Length);
        }

        // Runs for every row a parallel import reads, on the reading thread: the field count and the arrays are held in
        // locals (sized above), and a field's place in the row is one subtraction (a field outside the row, unescaped
        // elsewhere, gives a place out of its range).
        var starts = _starts;
        var ends = _ends;
        var fields = _fields;
        ref var first = ref MemoryMarshal.GetReference(row);
        for (var i = 0; i < count; i++)
        {
            var text = source.GetText(i);
            if (text.IsEmpty)
            {
                starts[fields] = at;
                ends[fields++] = at;
            }
            else if ((nint)Unsafe.ByteOffset(ref first, ref MemoryMarshal.GetReference(text)) / sizeof(char) is var offset
                && offset >= 0 && offset + text.Length <= row.Length)
            {
                starts[fields] = at + (int)offset;
                ends[fields++] = at + (int)offset + text.Length;
            }
            else
            {
                // Unescaped outside the row (doubled quotes): copied on its own, after the row.
                _fields = fields;
                Append(text);
                fields = _fields;
            }
        }

        _fields = fields;
    }

    public ReadOnlySpan<char> Field(int index) => _chars.AsSpan(_starts[index], _ends[index] - _starts[index]);

    private int Copy(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        }

        var at = _length;
        text.CopyTo(_chars.AsSpan(at));
        _length += text.Length;
        return at;
    }

    private void AddField(int start, int length)
    {
        if (_fields == _ends.Length)
        {
            Array.Resize(ref _starts, _ends.Length * 2);
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _starts[_fields] = start;
        _ends[_fields++] = start + length;
    }
}
