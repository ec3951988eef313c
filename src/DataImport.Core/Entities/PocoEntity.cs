using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Reflection;
using DataImport.Conversion;

namespace DataImport.Entities;

/// <summary>An entity registered from a class; records are built with setters bound once, without boxing.</summary>
internal sealed class PocoEntity<T> : ImportEntity<T>
    where T : class, new()
{
    private readonly Func<FieldValue[], bool[], T> _build;

    private PocoEntity(EntitySchema schema, Func<FieldValue[], bool[], T> build, IEnumerable<Func<T, IEnumerable<ValidationProblem>>> validators)
        : base(schema, validators)
    {
        _build = build;
    }

    public static PocoEntity<T> Create(EntityBuilder<T> builder)
    {
        var schemaBuilder = new EntitySchemaBuilder(builder.EntityName ?? typeof(T).Name);
        var setters = new List<PropertyInfo>();
        var attributeKey = new List<string>();
        var skipped = new List<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0
                || builder.Ignored.Contains(property.Name) || property.GetCustomAttribute<NotMappedAttribute>() is not null)
            {
                continue;
            }

            var clrType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (!TryMapType(clrType, out var type))
            {
                skipped.Add(property.Name);
                continue;
            }

            var required = builder.RequiredNames.Contains(property.Name) || property.GetCustomAttribute<RequiredAttribute>() is not null;
            var maxLength = builder.MaxLengths.TryGetValue(property.Name, out var ml) ? ml
                : property.GetCustomAttribute<MaxLengthAttribute>()?.Length
                ?? property.GetCustomAttribute<StringLengthAttribute>()?.MaximumLength;
            if (maxLength is <= 0)
            {
                maxLength = null;
            }

            IEnumerable<string>? allowed = builder.Allowed.TryGetValue(property.Name, out var a) ? a
                : property.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!);
            if (clrType.IsEnum && allowed is null)
            {
                allowed = Enum.GetNames(clrType);
            }

            builder.FormatsByName.TryGetValue(property.Name, out var formats);
            schemaBuilder.Property(property.Name, type, required, maxLength, allowed, formats);
            if (property.GetCustomAttribute<KeyAttribute>() is not null)
            {
                attributeKey.Add(property.Name);
            }

            setters.Add(property);
        }

        schemaBuilder.Key([.. builder.KeyNames.Count > 0 ? builder.KeyNames : attributeKey]);
        var problems = builder.KeyNames.Concat(builder.RequiredNames).Where(skipped.Contains).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{typeof(T).Name}: properties {string.Join(", ", problems)} have a type DataImport cannot convert to.");
        }

        return new PocoEntity<T>(schemaBuilder.Build(), RecordBuilder.Compile<T>(setters), builder.Validators);
    }

    public override object CreateRecord(FieldValue[] values, bool[] mapped) => _build(values, mapped);

    private static bool TryMapType(Type clrType, out PropertyType type)
    {
        type = clrType switch
        {
            _ when clrType == typeof(string) => PropertyType.String,
            _ when clrType == typeof(int) || clrType == typeof(short) || clrType == typeof(byte) => PropertyType.Int,
            _ when clrType == typeof(long) => PropertyType.Long,
            _ when clrType == typeof(decimal) => PropertyType.Decimal,
            _ when clrType == typeof(double) || clrType == typeof(float) => PropertyType.Double,
            _ when clrType == typeof(bool) => PropertyType.Bool,
            _ when clrType == typeof(DateOnly) => PropertyType.Date,
            _ when clrType == typeof(DateTime) || clrType == typeof(DateTimeOffset) => PropertyType.DateTime,
            _ when clrType == typeof(TimeOnly) || clrType == typeof(TimeSpan) => PropertyType.Time,
            _ when clrType == typeof(Guid) => PropertyType.Guid,
            _ when clrType.IsEnum => PropertyType.Enum,
            _ => (PropertyType)(-1),
        };
        return (int)type >= 0;
    }
}
