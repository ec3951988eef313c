namespace DataImport;

/// <summary>
/// The key of a record: the values of its entity's key properties, in key order. Two keys are equal when every
/// value is equal (strings compare ordinally, so <c>a@x.com</c> and <c>A@x.com</c> differ; a sink that matches
/// case-insensitively should normalise in its own lookup).
/// </summary>
public sealed class ImportKey : IEquatable<ImportKey>
{
    // A key of one value (the usual case: an e-mail, an order number) keeps it in _single and makes the array only when
    // Values is read, so the engine's per-row key costs one object less; both forms compare and hash alike.
    private readonly object? _single;
    private readonly int _count;
    private readonly int _hash;
    private object?[]? _values;

    /// <summary>Initializes a new instance of the <see cref="ImportKey"/> class.</summary>
    /// <param name="values">The key values in key order.</param>
    public ImportKey(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        _count = values.Length;
        var hash = default(HashCode);
        foreach (var value in values)
        {
            hash.Add(value);
        }

        _hash = hash.ToHashCode();
    }

    private ImportKey(object? single)
    {
        _single = single;
        _count = 1;
        var hash = default(HashCode);
        hash.Add(single);
        _hash = hash.ToHashCode();
    }

    /// <summary>Gets the key values in key order.</summary>
    public IReadOnlyList<object?> Values => _values ??= [_single];

    /// <summary>Gets the key value at a position.</summary>
    /// <param name="index">The position in the key, from 0.</param>
    /// <returns>The value.</returns>
    public object? this[int index] => _values is { } values ? values[index] : index == 0 ? _single : throw new ArgumentOutOfRangeException(nameof(index));

    /// <inheritdoc />
    public bool Equals(ImportKey? other)
    {
        if (other is null || other._hash != _hash || other._count != _count)
        {
            return false;
        }

        for (var i = 0; i < _count; i++)
        {
            if (!Equals(this[i], other[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImportKey);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Values.Select(v => v?.ToString() ?? "(null)"));

    /// <summary>A key of one value, without an array until <see cref="Values"/> is read.</summary>
    internal static ImportKey Of(object? value) => new(single: value);
}
