namespace DataImport;

/// <summary>One property of an entity: its name, type and the rules a value must meet.</summary>
public sealed class EntityProperty
{
    internal EntityProperty(
        string name,
        PropertyType type,
        bool required,
        int? maxLength,
        IReadOnlyList<string> allowedValues,
        IReadOnlyList<string> formats,
        int ordinal)
    {
        Name = name;
        Type = type;
        Required = required;
        MaxLength = maxLength;
        AllowedValues = allowedValues;
        HasAllowedValues = allowedValues.Count > 0;
        Formats = formats;
        FormatArray = [.. formats];
        Ordinal = ordinal;
    }

    /// <summary>Gets the property name, unique in its entity (compared case-insensitively).</summary>
    public string Name { get; }

    /// <summary>Gets the property type.</summary>
    public PropertyType Type { get; }

    /// <summary>Gets a value indicating whether a row without a value for this property is skipped.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Required { get; }

    /// <summary>Gets the maximum length of a string value, or <see langword="null"/> for no limit.</summary>
    public int? MaxLength { get; }

    /// <summary>Gets the allowed values (matched in any case); empty when any value is allowed.</summary>
    public IReadOnlyList<string> AllowedValues { get; }

    /// <summary>Gets extra .NET format strings accepted for dates, date-times and times, tried before the locale's own patterns.</summary>
    public IReadOnlyList<string> Formats { get; }

    /// <summary>Gets the position of the property in its entity, starting from 0.</summary>
    internal int Ordinal { get; }

    /// <summary>Gets a value indicating whether <see cref="AllowedValues"/> is not empty, read per value without an interface call.</summary>
    internal bool HasAllowedValues { get; }

    /// <summary>Gets <see cref="Formats"/> as the array the parse methods take, built once instead of per value.</summary>
    internal string[] FormatArray { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Type})";
}
