using System.Linq.Expressions;
using System.Reflection;
using DataImport.Conversion;

namespace DataImport.Entities;

/// <summary>
/// Compiles, once per entity class, the method that builds a record from a converted row:
/// <c>(values, mapped) =&gt; new T { P0 = values[0].Text, P1 = (int)values[1].Integer, … }</c>, each assignment guarded by
/// "mapped and has a value". One call per row, fields read in place (no copy of the value struct), no boxing.
/// </summary>
internal static class RecordBuilder
{
    public static Func<FieldValue[], bool[], T> Compile<T>(IReadOnlyList<PropertyInfo> properties)
        where T : class, new()
    {
        var values = Expression.Parameter(typeof(FieldValue[]), "values");
        var mapped = Expression.Parameter(typeof(bool[]), "mapped");
        var record = Expression.Variable(typeof(T), "record");
        var body = new List<Expression> { Expression.Assign(record, Expression.New(typeof(T))) };
        for (var i = 0; i < properties.Count; i++)
        {
            var cell = Expression.ArrayAccess(values, Expression.Constant(i));
            var present = Expression.AndAlso(
                Expression.ArrayIndex(mapped, Expression.Constant(i)),
                Expression.Field(cell, nameof(FieldValue.HasValue)));
            var property = properties[i];
            body.Add(Expression.IfThen(present, Expression.Assign(Expression.Property(record, property), Value(cell, property.PropertyType))));
        }

        body.Add(record);
        return Expression.Lambda<Func<FieldValue[], bool[], T>>(Expression.Block([record], body), values, mapped).Compile();
    }

    private static Expression Value(Expression cell, Type type)
    {
        var clr = Nullable.GetUnderlyingType(type) ?? type;
        Expression Field(string name) => Expression.Field(cell, name);
        Expression value = clr switch
        {
            _ when clr == typeof(string) => Field(nameof(FieldValue.Text)),
            _ when clr == typeof(int) => Expression.Convert(Field(nameof(FieldValue.Integer)), typeof(int)),
            _ when clr == typeof(short) || clr == typeof(byte) => Expression.ConvertChecked(Field(nameof(FieldValue.Integer)), clr),
            _ when clr == typeof(long) => Field(nameof(FieldValue.Integer)),
            _ when clr == typeof(decimal) => Field(nameof(FieldValue.Decimal)),
            _ when clr == typeof(double) => Field(nameof(FieldValue.Double)),
            _ when clr == typeof(float) => Expression.Convert(Field(nameof(FieldValue.Double)), typeof(float)),
            _ when clr == typeof(bool) => Expression.NotEqual(Field(nameof(FieldValue.Integer)), Expression.Constant(0L)),
            _ when clr == typeof(DateOnly) => Field(nameof(FieldValue.Date)),
            _ when clr == typeof(DateTime) => Expression.Property(Field(nameof(FieldValue.DateTime)), nameof(DateTimeOffset.UtcDateTime)),
            _ when clr == typeof(DateTimeOffset) => Field(nameof(FieldValue.DateTime)),
            _ when clr == typeof(TimeOnly) => Field(nameof(FieldValue.Time)),
            _ when clr == typeof(TimeSpan) => Expression.Call(Field(nameof(FieldValue.Time)), nameof(TimeOnly.ToTimeSpan), Type.EmptyTypes),
            _ when clr == typeof(Guid) => Field(nameof(FieldValue.Guid)),
            _ when clr.IsEnum => EnumValue(Field(nameof(FieldValue.Text)), clr),
            _ => throw new NotSupportedException($"Properties of type {clr.Name} are not supported."),
        };

        return clr == type ? value : Expression.Convert(value, type);
    }

    /// <summary>The enum member named by the text (the schema spelling the converter stored), looked up in a dictionary built once.</summary>
    private static UnaryExpression EnumValue(Expression text, Type enumType)
    {
        var map = Enum.GetNames(enumType).ToDictionary(n => n, n => Enum.Parse(enumType, n), StringComparer.OrdinalIgnoreCase);
        var lookup = Expression.Property(Expression.Constant(map), "Item", text);
        return Expression.Convert(lookup, enumType);
    }
}
