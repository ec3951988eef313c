namespace DataImport.Conversion;

/// <summary>
/// Returns one string instance for repeated short values (a region, a country, a status), so a column with few
/// distinct values allocates a handful of strings per import instead of one per row.
/// </summary>
/// <remarks>
/// A fixed-size, direct-mapped table: a slot holds the last string that hashed to it, so memory is bounded
/// (at most <see cref="Slots"/> strings of up to <see cref="MaxLength"/> characters) and a column of unique values
/// costs a hash and a compare per value, never more allocation than without the pool. Not thread-safe: one per run.
/// </remarks>
internal sealed class StringPool
{
    public const int MaxLength = 32;
    public const int Slots = 2048;

    private readonly string?[] _entries = new string?[Slots];

    public string GetOrAdd(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        ref var slot = ref _entries[string.GetHashCode(text) & (Slots - 1)];
        var existing = slot;
        if (existing is not null && text.SequenceEqual(existing))
        {
            return existing;
        }

        return slot = text.ToString();
    }
}
