namespace DataImport;

/// <summary>The type of an entity property, which decides how a file's text or cell is converted.</summary>
public enum PropertyType
{
    /// <summary>Text, stored as is.</summary>
    String,

    /// <summary>A 32-bit integer.</summary>
    Int,

    /// <summary>A 64-bit integer.</summary>
    Long,

    /// <summary>A decimal number (exact, e.g. money).</summary>
    Decimal,

    /// <summary>A double-precision floating point number.</summary>
    Double,

    /// <summary>A boolean: <c>true/false</c>, <c>yes/no</c>, <c>y/n</c>, <c>1/0</c>, any case.</summary>
    Bool,

    /// <summary>A calendar date without time or offset (<see cref="DateOnly"/>); never shifted by the timezone offset.</summary>
    Date,

    /// <summary>A point in time (<see cref="DateTimeOffset"/>); values without an offset are read at the request's timezone offset and stored as UTC.</summary>
    DateTime,

    /// <summary>A time of day (<see cref="TimeOnly"/>); never shifted by the timezone offset.</summary>
    Time,

    /// <summary>A <see cref="System.Guid"/>.</summary>
    Guid,

    /// <summary>One of the property's allowed values, matched in any case and stored in the schema's spelling.</summary>
    Enum,
}
