using Npgsql;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// Builds one typed array parameter per column, for statements that take a whole batch at once
/// (<c>= ANY($2)</c> for keys, <c>unnest($2, $3, …)</c> for updates): one round trip, whatever the batch size.
/// </summary>
internal static class ColumnArrays
{
    public static NpgsqlParameter Parameter(RecordColumn column, int count, Func<int, object?> valueAt) => new()
    {
        NpgsqlDbType = NpgsqlDbType.Array | column.DbType,
        Value = column.Property.Type switch
        {
            PropertyType.String or PropertyType.Enum => Strings(column, count, valueAt),
            PropertyType.Int => Values<int>(column, count, valueAt),
            PropertyType.Long => Values<long>(column, count, valueAt),
            PropertyType.Decimal => Values<decimal>(column, count, valueAt),
            PropertyType.Double => Values<double>(column, count, valueAt),
            PropertyType.Bool => Values<bool>(column, count, valueAt),
            PropertyType.Date => Values<DateOnly>(column, count, valueAt),
            PropertyType.DateTime => Values<DateTime>(column, count, valueAt),
            PropertyType.Time => Values<TimeOnly>(column, count, valueAt),
            PropertyType.Guid => Values<Guid>(column, count, valueAt),
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Property.Type, null),
        },
    };

    private static string?[] Strings(RecordColumn column, int count, Func<int, object?> valueAt)
    {
        var values = new string?[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = valueAt(i) is { } value ? (string)column.ToDatabase(value) : null;
        }

        return values;
    }

    private static T?[] Values<T>(RecordColumn column, int count, Func<int, object?> valueAt)
        where T : struct
    {
        var values = new T?[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = valueAt(i) is { } value ? (T)column.ToDatabase(value) : null;
        }

        return values;
    }
}
