using System.Globalization;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// The column of one entity property: its quoted name, its PostgreSQL type, and how a record's value is turned into
/// what Npgsql writes for that type (the engine's own value types, plus the obvious near ones a host may put in a record).
/// </summary>
internal sealed class RecordColumn
{
    /// <summary>The longest <c>varchar(n)</c> PostgreSQL accepts; a longer <see cref="EntityProperty.MaxLength"/> is stored as <c>text</c>.</summary>
    private const int MaxVarcharLength = 10_485_760;

    public RecordColumn(EntityProperty property, int index, bool isKey)
    {
        Property = property;
        Index = index;
        IsKey = isKey;
        Name = Sql.Quote(property.Name);
        (SqlType, DbType) = property.Type switch
        {
            PropertyType.String when property.MaxLength is > 0 and <= MaxVarcharLength =>
                (string.Create(CultureInfo.InvariantCulture, $"varchar({property.MaxLength})"), NpgsqlDbType.Varchar),
            PropertyType.String or PropertyType.Enum => ("text", NpgsqlDbType.Text),
            PropertyType.Int => ("integer", NpgsqlDbType.Integer),
            PropertyType.Long => ("bigint", NpgsqlDbType.Bigint),
            PropertyType.Decimal => ("numeric", NpgsqlDbType.Numeric),
            PropertyType.Double => ("double precision", NpgsqlDbType.Double),
            PropertyType.Bool => ("boolean", NpgsqlDbType.Boolean),
            PropertyType.Date => ("date", NpgsqlDbType.Date),
            PropertyType.DateTime => ("timestamptz", NpgsqlDbType.TimestampTz),
            PropertyType.Time => ("time", NpgsqlDbType.Time),
            PropertyType.Guid => ("uuid", NpgsqlDbType.Uuid),
            _ => throw new ArgumentOutOfRangeException(nameof(property), property.Type, $"Property '{property.Name}' has a type the PostgreSQL record sink does not store."),
        };
    }

    /// <summary>Gets the entity property stored in this column.</summary>
    public EntityProperty Property { get; }

    /// <summary>Gets the position of the property in its entity.</summary>
    public int Index { get; }

    /// <summary>Gets a value indicating whether the property is part of the entity's key.</summary>
    public bool IsKey { get; }

    /// <summary>Gets the quoted column name (the property name, case kept).</summary>
    public string Name { get; }

    /// <summary>Gets the column type in <c>CREATE TABLE</c>.</summary>
    public string SqlType { get; }

    /// <summary>Gets the type Npgsql writes values as.</summary>
    public NpgsqlDbType DbType { get; }

    /// <summary>Converts a record's value to the .NET type Npgsql writes for <see cref="DbType"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of a type this column cannot hold.</exception>
    public object ToDatabase(object value) => Property.Type switch
    {
        PropertyType.String or PropertyType.Enum => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)!,
        PropertyType.Int => value is int i ? i : Convert.ToInt32(value, CultureInfo.InvariantCulture),
        PropertyType.Long => value is long l ? l : Convert.ToInt64(value, CultureInfo.InvariantCulture),
        PropertyType.Decimal => value is decimal d ? d : Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        PropertyType.Double => value is double f ? f : Convert.ToDouble(value, CultureInfo.InvariantCulture),
        PropertyType.Bool => value is bool b ? b : Convert.ToBoolean(value, CultureInfo.InvariantCulture),
        PropertyType.Date => value switch
        {
            DateOnly date => date,
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            _ => throw Unsupported(value),
        },

        // timestamptz takes UTC: the engine's values are UTC already; a host's local or unspecified value is read as UTC.
        PropertyType.DateTime => value switch
        {
            DateTimeOffset offset => offset.UtcDateTime,
            DateTime dateTime => dateTime.Kind == DateTimeKind.Local ? dateTime.ToUniversalTime() : DateTime.SpecifyKind(dateTime, DateTimeKind.Utc),
            _ => throw Unsupported(value),
        },
        PropertyType.Time => value switch
        {
            TimeOnly time => time,
            TimeSpan span => TimeOnly.FromTimeSpan(span),
            _ => throw Unsupported(value),
        },
        PropertyType.Guid => value switch
        {
            Guid guid => guid,
            string text => Guid.Parse(text, CultureInfo.InvariantCulture),
            _ => throw Unsupported(value),
        },
        _ => throw Unsupported(value),
    };

    /// <summary>
    /// A key value as the database gives it back: PostgreSQL keeps times to the microsecond and Npgsql drops the finer
    /// ticks on the way, so a key read from the table equals the file's key only once that is done to the file's too.
    /// </summary>
    public object AsStored(object value) => (Property.Type, ToDatabase(value)) switch
    {
        (PropertyType.DateTime, DateTime utc) => new DateTimeOffset(Microseconds(utc.Ticks - PostgresEpochTicks) + PostgresEpochTicks, TimeSpan.Zero),
        (PropertyType.Time, TimeOnly time) => new TimeOnly(Microseconds(time.Ticks)),
        (PropertyType.Int or PropertyType.Long or PropertyType.Decimal or PropertyType.Double or PropertyType.Bool or PropertyType.Guid or PropertyType.Date, var stored) => stored,
        _ => value,
    };

    /// <summary>Gets a value indicating whether a key of this type can lose precision when stored (see <see cref="AsStored"/>).</summary>
    public bool StoresCoarser => Property.Type is PropertyType.DateTime or PropertyType.Time;

    /// <summary>Reads this column's value back as the type the engine gives the property.</summary>
    public object FromDatabase(Npgsql.NpgsqlDataReader reader, int ordinal) => Property.Type switch
    {
        PropertyType.String or PropertyType.Enum => reader.GetString(ordinal),
        PropertyType.Int => reader.GetInt32(ordinal),
        PropertyType.Long => reader.GetInt64(ordinal),
        PropertyType.Decimal => reader.GetDecimal(ordinal),
        PropertyType.Double => reader.GetDouble(ordinal),
        PropertyType.Bool => reader.GetBoolean(ordinal),
        PropertyType.Date => reader.GetFieldValue<DateOnly>(ordinal),
        PropertyType.DateTime => reader.GetFieldValue<DateTimeOffset>(ordinal),
        PropertyType.Time => reader.GetFieldValue<TimeOnly>(ordinal),
        PropertyType.Guid => reader.GetGuid(ordinal),
        _ => reader.GetValue(ordinal),
    };

    private const long PostgresEpochTicks = 630_822_816_000_000_000L; // 2000-01-01, where PostgreSQL counts timestamps from

    private static long Microseconds(long ticks) => ticks / 10 * 10;

    private InvalidCastException Unsupported(object value) =>
        new($"Property '{Property.Name}' ({Property.Type}) cannot hold a value of type {value.GetType().Name}.");
}
