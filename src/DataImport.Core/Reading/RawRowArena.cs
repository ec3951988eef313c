namespace DataImport.Reading;

/// <summary>
/// Holds the source text of a batch's rows in one reusable char buffer, so keeping every row of a batch for
/// the not-imported file costs no allocation per row.
/// </summary>
internal sealed class RawRowArena
{
    private char[] _chars = new char[4096];
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

    public void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
        if (_fields == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _ends[_fields++] = _length;
    }

    public ReadOnlySpan<char> Field(int index)
    {
        var start = index == 0 ? 0 : _ends[index - 1];
        return _chars.AsSpan(start, _ends[index] - start);
    }
}
