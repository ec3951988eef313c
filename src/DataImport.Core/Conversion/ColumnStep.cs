namespace DataImport.Conversion;

/// <summary>Which shortcut a column's text may take before the general conversion (<see cref="ValueConverter.TryConvertPlain"/>).</summary>
internal enum PlainKind : byte
{
    /// <summary>No shortcut: every value goes through <see cref="ValueConverter.ConvertText"/> (strings, and the types without one).</summary>
    None,

    /// <summary>An <see cref="PropertyType.Int"/> column: a whole number in range, without group separators.</summary>
    Int,

    /// <summary>A <see cref="PropertyType.Long"/> column: a whole number without group separators.</summary>
    Long,

    /// <summary>A <see cref="PropertyType.Decimal"/> column: <c>[-]digits[separator digits]</c> (<see cref="FastParse.TryParsePlainDecimal"/>).</summary>
    Decimal,

    /// <summary>A <see cref="PropertyType.Date"/> column whose first format compiles (<see cref="SimpleDateFormat"/>).</summary>
    Date,
}

/// <summary>
/// One mapped column as the per-row loop reads it, worked out once per run: where the cell is, where its value
/// goes, and the shortcut its values may take, so the loop reads one array element per column.
/// </summary>
internal readonly struct ColumnStep(int column, EntityProperty property, PlainKind kind, SimpleDateFormat? date)
{
    /// <summary>Gets the source column (0-based).</summary>
    public int Column { get; } = column;

    /// <summary>Gets the property's ordinal: where its value goes in <see cref="RowConverter.Values"/>.</summary>
    public int Ordinal { get; } = property.Ordinal;

    /// <summary>Gets the shortcut the column's values try first.</summary>
    public PlainKind Kind { get; } = kind;

    /// <summary>Gets the compiled date format a <see cref="PlainKind.Date"/> column tries first.</summary>
    public SimpleDateFormat? Date { get; } = date;

    /// <summary>Gets the property, for the general conversion.</summary>
    public EntityProperty Property { get; } = property;
}
