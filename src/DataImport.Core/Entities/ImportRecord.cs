using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using DataImport.Conversion;

namespace DataImport;

/// <summary>
/// A record of an entity defined at run time: values by property name. Only the properties the file mapped
/// are present, so a sink updating an existing record changes just those.
/// </summary>
/// <remarks>
/// Numbers, dates, booleans and GUIDs an import sets are held unboxed and boxed on their first read; later reads return
/// that object. As with a dictionary, reads on several threads at once are safe; a write alongside them is not.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "A record of an entity is what users call it; it is a dictionary only for convenience.")]
public sealed class ImportRecord : IReadOnlyDictionary<string, object?>
{
    // One array per record: null is an absent property, PresentNull a present one whose value is null (an empty cell),
    // so a record costs two allocations besides its values (this object and the array), not three.
    private static readonly object PresentNull = new();

    // A value the import set unboxed: it is in _unboxed (one slot per property that is not a string, an array the
    // collector need not scan) and is boxed the first time it is read, the box then kept in _values. An import builds a
    // record from its typed values without an object per number or date (a 1M-row import of nine numbers and dates per
    // row made nine million boxes, most of its collections); a sink that reads every value boxes each once, as it reads.
    private static readonly object Unboxed = new();
    private readonly object?[] _values;
    private ValueSlot[]? _unboxed;

    /// <summary>Initializes a new instance of the <see cref="ImportRecord"/> class with no values.</summary>
    /// <param name="entity">The entity the record belongs to.</param>
    public ImportRecord(EntitySchema entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        Entity = entity;
        _values = new object?[entity.Properties.Count];
    }

    /// <summary>Gets the entity the record belongs to.</summary>
    public EntitySchema Entity { get; }

    /// <summary>Gets the number of properties present in the record.</summary>
    public int Count => _values.Count(v => v is not null);

    /// <summary>Gets the names of the properties present, in schema order.</summary>
    public IEnumerable<string> Keys => Entity.Properties.Where(p => _values[p.Ordinal] is not null).Select(p => p.Name);

    /// <summary>Gets the values of the properties present, in schema order.</summary>
    public IEnumerable<object?> Values => Entity.Properties.Where(p => _values[p.Ordinal] is not null).Select(p => Read(p.Ordinal));

    /// <summary>Gets or sets the value of a property; setting makes the property present.</summary>
    /// <param name="key">The property name, any case.</param>
    /// <returns>The value, or <see langword="null"/> when the property is absent or empty.</returns>
    /// <exception cref="KeyNotFoundException">The entity has no property of that name.</exception>
    public object? this[string key]
    {
        get => Read(Ordinal(key));
        set => _values[Ordinal(key)] = value ?? PresentNull;
    }

    /// <summary>Gets a value indicating whether the property is present in the record.</summary>
    /// <param name="key">The property name, any case.</param>
    /// <returns><see langword="true"/> when the property is present (its value may be <see langword="null"/>).</returns>
    public bool ContainsKey(string key)
    {
        var property = Entity.FindProperty(key);
        return property is not null && _values[property.Ordinal] is not null;
    }

    /// <summary>Gets the value of a property when present.</summary>
    /// <param name="key">The property name, any case.</param>
    /// <param name="value">The value when present.</param>
    /// <returns><see langword="true"/> when the property is present.</returns>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var property = Entity.FindProperty(key);
        if (property is not null && _values[property.Ordinal] is not null)
        {
            value = Read(property.Ordinal);
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Gets the value of a property when present, found by the property's position rather than its name: the fast way
    /// for a sink that walks <see cref="EntitySchema.Properties"/> for every record.
    /// </summary>
    /// <param name="property">A property of <see cref="Entity"/> (a property of another schema is looked up by name).</param>
    /// <param name="value">The value when present.</param>
    /// <returns><see langword="true"/> when the property is present.</returns>
    public bool TryGetValue(EntityProperty property, [MaybeNullWhen(false)] out object? value)
    {
        ArgumentNullException.ThrowIfNull(property);
        var ordinal = property.Ordinal;
        if ((uint)ordinal >= (uint)_values.Length || !ReferenceEquals(Entity.Properties[ordinal], property))
        {
            return TryGetValue(property.Name, out value);
        }

        var present = _values[ordinal] is not null;
        value = present ? Read(ordinal) : null;
        return present;
    }

    /// <summary>Copies the present properties of another record of the same entity over this one.</summary>
    /// <param name="other">The record whose present values win.</param>
    /// <exception cref="ArgumentException">The record belongs to another entity.</exception>
    public void MergeFrom(ImportRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Entity, Entity))
        {
            throw new ArgumentException($"Cannot merge a record of '{other.Entity.Name}' into one of '{Entity.Name}'.", nameof(other));
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (other._values[i] is { } stored)
            {
                if (ReferenceEquals(stored, Unboxed))
                {
                    // Copied unboxed, as the other record holds it.
                    var at = Entity.UnboxedSlots[i];
                    _unboxed ??= new ValueSlot[Entity.UnboxedCount];
                    _unboxed[at] = other._unboxed![at];
                }

                _values[i] = stored;
            }
        }
    }

    /// <summary>Returns a copy of this record.</summary>
    /// <returns>A new record with the same present values.</returns>
    public ImportRecord Clone()
    {
        var copy = new ImportRecord(Entity);
        copy.MergeFrom(this);
        return copy;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var property in Entity.Properties)
        {
            if (_values[property.Ordinal] is not null)
            {
                yield return new KeyValuePair<string, object?>(property.Name, Read(property.Ordinal));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Builds a record from an import's converted values (<paramref name="mapped"/> says which properties the file has):
    /// strings as they are, the other types copied into the record's slots without boxing.
    /// </summary>
    internal static ImportRecord FromConverted(EntitySchema entity, FieldValue[] values, bool[] mapped)
    {
        var record = new ImportRecord(entity);
        var stored = record._values;
        var types = entity.PropertyTypes;
        var slots = entity.UnboxedSlots;
        var unboxed = entity.UnboxedCount > 0 ? record._unboxed = new ValueSlot[entity.UnboxedCount] : null;
        for (var i = 0; i < stored.Length; i++)
        {
            if (!mapped[i])
            {
                continue;
            }

            ref readonly var value = ref values[i];
            if (!value.HasValue)
            {
                stored[i] = PresentNull;
                continue;
            }

            var at = slots[i];
            if (at < 0)
            {
                // A string or an enum's name.
                stored[i] = value.Text ?? PresentNull;
                continue;
            }

            unboxed![at].Store(types[i], in value);
            stored[i] = Unboxed;
        }

        return record;
    }

    /// <summary>The value at <paramref name="ordinal"/> (null when absent or empty), boxing an unboxed one on its first read.</summary>
    private object? Read(int ordinal)
    {
        var stored = _values[ordinal];
        if (ReferenceEquals(stored, PresentNull))
        {
            return null;
        }

        if (!ReferenceEquals(stored, Unboxed))
        {
            return stored;
        }

        var box = _unboxed![Entity.UnboxedSlots[ordinal]].Box(Entity.PropertyTypes[ordinal]);

        // Kept, so every later read returns the same object. Like a dictionary, a record is safe for reads on several
        // threads at once but not for a write alongside them: two first reads at once box twice (equal values).
        _values[ordinal] = box;
        return box;
    }

    private int Ordinal(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Entity.FindProperty(key)?.Ordinal
            ?? throw new KeyNotFoundException($"Entity '{Entity.Name}' has no property '{key}'.");
    }
}

/// <summary>One unboxed value of an <see cref="ImportRecord"/>: the members overlap, and its property's type says which one holds it.</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct ValueSlot
{
    [FieldOffset(0)]
    public long Integer;

    [FieldOffset(0)]
    public double Double;

    [FieldOffset(0)]
    public decimal Decimal;

    [FieldOffset(0)]
    public DateTimeOffset DateTime;

    [FieldOffset(0)]
    public DateOnly Date;

    [FieldOffset(0)]
    public TimeOnly Time;

    [FieldOffset(0)]
    public Guid Guid;

    /// <summary>Copies a converted value of a property of <paramref name="type"/> (not a string) into the slot.</summary>
    public void Store(PropertyType type, in FieldValue value)
    {
        switch (type)
        {
            case PropertyType.Decimal:
                Decimal = value.Decimal;
                break;
            case PropertyType.Double:
                Double = value.Double;
                break;
            case PropertyType.Date:
                Date = value.Date;
                break;
            case PropertyType.DateTime:
                DateTime = value.DateTime;
                break;
            case PropertyType.Time:
                Time = value.Time;
                break;
            case PropertyType.Guid:
                Guid = value.Guid;
                break;
            default:
                // Int, Long and Bool are held as a whole number, as in FieldValue.
                Integer = value.Integer;
                break;
        }
    }

    /// <summary>The value as the object a property of <paramref name="type"/> reads as (<see cref="FieldValue.ToObject"/> for a slot).</summary>
    public readonly object Box(PropertyType type) => type switch
    {
        PropertyType.Int => (int)Integer,
        PropertyType.Long => Integer,
        PropertyType.Bool => Integer != 0,
        PropertyType.Decimal => Decimal,
        PropertyType.Double => Double,
        PropertyType.Date => Date,
        PropertyType.DateTime => DateTime,
        PropertyType.Time => Time,
        _ => Guid,
    };
}
