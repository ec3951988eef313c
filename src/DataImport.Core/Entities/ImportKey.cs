namespace DataImport;

/// <summary>
/// The key of a record: the values of its entity's key properties, in key order. Two keys are equal when every
/// value is equal (strings compare ordinally, so <c>a@x.com</c> and <c>A@x.com</c> differ; a sink that matches
/// case-insensitively should normalise in its own lookup).
/// </summary>
public sealed class ImportKey : IEquatable<ImportKey>
{
    private readonly object?[] _values;
    private readonly int _hash;

    /// <summary>Initializes a new instance of the <see cref="ImportKey"/> class.</summary>
    /// <param name="values">The key values in key order.</param>
    public ImportKey(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        var hash = default(HashCode);
        foreach (var value in values)
        {
            hash.Add(value);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>Gets the key values in key order.</summary>
    public IReadOnlyList<object?> Values => _values;

    /// <summary>Gets the key value at a position.</summary>
    /// <param name="index">The position in the key, from 0.</param>
    /// <returns>The value.</returns>
    public object? this[int index] => _values[index];

    /// <inheritdoc />
    public bool Equals(ImportKey? other)
    {
        if (other is null || other._hash != _hash || other._values.Length != _values.Length)
        {
            return false;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (!Equals(_values[i], other._values[i]))
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
    public override string ToString() => string.Join(", ", _values.Select(v => v?.ToString() ?? "(null)"));
}
