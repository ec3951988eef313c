namespace DataImport.Conversion;

/// <summary>
/// One converted value, held unboxed so the per-row path allocates nothing for numbers, dates and booleans.
/// Which member is meaningful follows the property's <see cref="PropertyType"/>.
/// </summary>
internal struct FieldValue
{
    public bool HasValue;
    public long Integer;
    public double Double;
    public decimal Decimal;
    public DateTimeOffset DateTime;
    public DateOnly Date;
    public TimeOnly Time;
    public Guid Guid;
    public string? Text;

    public readonly object? ToObject(PropertyType type)
    {
        if (!HasValue)
        {
            return null;
        }

        return type switch
        {
            PropertyType.String or PropertyType.Enum => Text,
            PropertyType.Int => (int)Integer,
            PropertyType.Long => Integer,
            PropertyType.Decimal => Decimal,
            PropertyType.Double => Double,
            PropertyType.Bool => Integer != 0,
            PropertyType.Date => Date,
            PropertyType.DateTime => DateTime,
            PropertyType.Time => Time,
            PropertyType.Guid => Guid,
            _ => null,
        };
    }
}
