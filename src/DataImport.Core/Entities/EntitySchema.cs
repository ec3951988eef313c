namespace DataImport;

/// <summary>
/// A named target type of an import: its properties and the key properties used to match existing records.
/// Build one with <see cref="EntitySchemaBuilder"/>, load it from JSON with <see cref="EntitySchemaJson"/>,
/// or let <c>AddEntity&lt;T&gt;()</c> derive it from a class.
/// </summary>
public sealed class EntitySchema
{
    private readonly Dictionary<string, EntityProperty> _byName;

    internal EntitySchema(string name, IReadOnlyList<EntityProperty> properties, IReadOnlyList<EntityProperty> key)
    {
        Name = name;
        Properties = properties;
        Key = key;
        _byName = new Dictionary<string, EntityProperty>(StringComparer.OrdinalIgnoreCase);
        UnboxedSlots = new int[properties.Count];
        PropertyTypes = new PropertyType[properties.Count];
        foreach (var property in properties)
        {
            _byName[property.Name] = property;
            UnboxedSlots[property.Ordinal] = property.Type is PropertyType.String or PropertyType.Enum ? -1 : UnboxedCount++;
            PropertyTypes[property.Ordinal] = property.Type;
        }
    }

    /// <summary>
    /// Gets, by property ordinal, where an <see cref="ImportRecord"/> keeps the property's value unboxed: -1 for strings,
    /// which are objects already.
    /// </summary>
    internal int[] UnboxedSlots { get; }

    /// <summary>Gets each property's type, by ordinal, for loops over every property of a record.</summary>
    internal PropertyType[] PropertyTypes { get; }

    /// <summary>Gets the number of properties an <see cref="ImportRecord"/> may keep unboxed.</summary>
    internal int UnboxedCount { get; }

    /// <summary>Gets the entity name, used to address the entity in import requests (compared case-insensitively).</summary>
    public string Name { get; }

    /// <summary>Gets the properties in declaration order.</summary>
    public IReadOnlyList<EntityProperty> Properties { get; }

    /// <summary>Gets the key properties; empty when the entity has no key (then only <see cref="ImportMode.CreateOnly"/> is allowed).</summary>
    public IReadOnlyList<EntityProperty> Key { get; }

    /// <summary>Gets a value indicating whether the entity has key properties.</summary>
    public bool HasKey => Key.Count > 0;

    /// <summary>Finds a property by name, ignoring case.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The property, or <see langword="null"/> when the entity has none of that name.</returns>
    public EntityProperty? FindProperty(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.GetValueOrDefault(name);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
