namespace DataImport.Conversion;

/// <summary>
/// Returns one string instance for repeated short values (a region, a country, a status), so a column with few
/// distinct values allocates a handful of strings per import instead of one per row.
/// </summary>
/// <remarks>
/// A fixed-size, direct-mapped table: a slot holds the last string that hashed to it, so memory is bounded
/// (at most <see cref="Slots"/> strings of up to <see cref="MaxLength"/> characters) and a miss never allocates more
/// than no pool would. Each property is watched for its first <see cref="Probe"/> values; one that rarely repeats
/// (under one hit in four, e.g. e-mail addresses) then bypasses the pool, saving the hash. Not thread-safe: one per run.
/// </remarks>
internal sealed class StringPool
{
    public const int MaxLength = 32;
    public const int Slots = 2048;
    public const int Probe = 1024;

    private readonly string?[] _entries = new string?[Slots];
    private int[] _lookups = new int[16];
    private int[] _hits = new int[16];

    /// <summary>Gets the pooled string for <paramref name="text"/>, watching the hit rate of <paramref name="property"/>.</summary>
    public string GetOrAdd(ReadOnlySpan<char> text, int property)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        if ((uint)property >= (uint)_lookups.Length)
        {
            Array.Resize(ref _lookups, Math.Max(property + 1, _lookups.Length * 2));
            Array.Resize(ref _hits, _lookups.Length);
        }

        var lookups = _lookups[property];
        if (lookups >= Probe)
        {
            if (_hits[property] * 4 < Probe)
            {
                return text.ToString();
            }
        }
        else
        {
            _lookups[property] = lookups + 1;
        }

        ref var slot = ref _entries[Hash(text) & (Slots - 1)];
        var existing = slot;
        if (existing is not null && text.SequenceEqual(existing))
        {
            if (lookups < Probe)
            {
                _hits[property]++;
            }

            return existing;
        }

        return slot = text.ToString();
    }

    /// <summary>Gets the pooled string for <paramref name="text"/>, always looking in the pool.</summary>
    public string GetOrAdd(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        ref var slot = ref _entries[Hash(text) & (Slots - 1)];
        var existing = slot;
        return existing is not null && text.SequenceEqual(existing) ? existing : (slot = text.ToString());
    }

    /// <summary>
    /// A sampling hash: the length and four chars (first, second, middle, last), so its cost does not grow with the
    /// text. Hashing every char (FNV-1a per char, or eight bytes a step) cost more than the allocation a hit saves;
    /// values that share length and sampled chars only evict each other from a slot (then they are allocated as without
    /// a pool), and the equality check keeps every result exact. Not randomized: a crafted collision only costs hits.
    /// </summary>
    private static int Hash(ReadOnlySpan<char> text)
    {
        var n = text.Length;
        if (n == 0)
        {
            return 0;
        }

        var hash = (uint)n * 0x9E3779B1u;
        hash = (hash ^ text[0]) * 0x85EBCA77u;
        hash = (hash ^ text[n >> 1]) * 0xC2B2AE3Du;
        hash = (hash ^ text[n - 1]) * 0x27D4EB2Fu;
        hash ^= (uint)(n > 2 ? text[1] : 0) << 7;
        return (int)(hash ^ (hash >> 15));
    }
}
