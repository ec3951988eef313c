namespace DataImport;

/// <summary>Builds an <see cref="EntitySchema"/> in code, for entities defined at run time.</summary>
/// <example>
/// <code>
/// var schema = new EntitySchemaBuilder("Customer")
///     .Property("Name", PropertyType.String, required: true, maxLength: 100)
///     .Property("Email", PropertyType.String, required: true)
///     .Key("Email")
///     .Build();
/// </code>
/// </example>
public sealed class EntitySchemaBuilder
{
    private readonly string _name;
    private readonly List<PropertySpec> _properties = [];
    private readonly List<string> _key = [];

    /// <summary>Initializes a new instance of the <see cref="EntitySchemaBuilder"/> class.</summary>
    /// <param name="name">The entity name.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public EntitySchemaBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name.Trim();
    }

    /// <summary>Adds a property.</summary>
    /// <param name="name">The property name.</param>
    /// <param name="type">The property type.</param>
    /// <param name="required">Whether a row without a value is skipped.</param>
    /// <param name="maxLength">The maximum string length, or <see langword="null"/>.</param>
    /// <param name="allowedValues">The allowed values (required for <see cref="PropertyType.Enum"/>), or <see langword="null"/>.</param>
    /// <param name="formats">Extra accepted .NET format strings for dates and times, or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public EntitySchemaBuilder Property(
        string name,
        PropertyType type,
        bool required = false,
        int? maxLength = null,
        IEnumerable<string>? allowedValues = null,
        IEnumerable<string>? formats = null)
    {
        _properties.Add(new PropertySpec(name, type, required, maxLength, allowedValues?.ToArray() ?? [], formats?.ToArray() ?? []));
        return this;
    }

    /// <summary>Sets the key properties used to match existing records, in order.</summary>
    /// <param name="propertyNames">The key property names.</param>
    /// <returns>This builder.</returns>
    public EntitySchemaBuilder Key(params string[] propertyNames)
    {
        ArgumentNullException.ThrowIfNull(propertyNames);
        _key.Clear();
        _key.AddRange(propertyNames);
        return this;
    }

    /// <summary>Builds the schema, checking it as a whole.</summary>
    /// <returns>The schema.</returns>
    /// <exception cref="ArgumentException">The schema is invalid; the message lists every problem.</exception>
    public EntitySchema Build()
    {
        var problems = new List<string>();
        var properties = new List<EntityProperty>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in _properties)
        {
            if (string.IsNullOrWhiteSpace(spec.Name))
            {
                problems.Add($"Entity '{_name}': a property has no name.");
                continue;
            }

            var name = spec.Name.Trim();
            if (!seen.Add(name))
            {
                problems.Add($"Entity '{_name}': property '{name}' is declared twice.");
                continue;
            }

            if (spec.MaxLength is <= 0)
            {
                problems.Add($"Entity '{_name}': property '{name}' has maxLength {spec.MaxLength}; it must be positive.");
            }

            if (spec.Type == PropertyType.Enum && spec.AllowedValues.Length == 0)
            {
                problems.Add($"Entity '{_name}': enum property '{name}' needs a list of allowed values.");
            }

            if (spec.AllowedValues.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"Entity '{_name}': property '{name}' has an empty allowed value.");
            }

            properties.Add(new EntityProperty(name, spec.Type, spec.Required, spec.MaxLength, spec.AllowedValues, spec.Formats, properties.Count));
        }

        if (properties.Count == 0 && problems.Count == 0)
        {
            problems.Add($"Entity '{_name}' has no properties.");
        }

        var key = new List<EntityProperty>();
        foreach (var keyName in _key)
        {
            var property = properties.Find(p => string.Equals(p.Name, keyName?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add($"Entity '{_name}': key property '{keyName}' is not one of its properties.");
            }
            else if (key.Contains(property))
            {
                problems.Add($"Entity '{_name}': key property '{keyName}' is listed twice.");
            }
            else
            {
                key.Add(property);
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems));
        }

        return new EntitySchema(_name, properties, key);
    }

    private sealed record PropertySpec(string Name, PropertyType Type, bool Required, int? MaxLength, string[] AllowedValues, string[] Formats);
}
