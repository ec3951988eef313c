using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Reflection;
using DataImport.Conversion;

namespace DataImport.Entities;

/// <summary>An entity registered from a class; records are built with setters bound once, without boxing.</summary>
internal sealed class PocoEntity<T> : ImportEntity<T>
    where T : class, new()
{
    private readonly PropertySetter[] _setters;

    private PocoEntity(EntitySchema schema, PropertySetter[] setters)
        : base(schema)
    {
        _setters = setters;
    }

    public static PocoEntity<T> Create(EntityBuilder<T> builder)
    {
        var schemaBuilder = new EntitySchemaBuilder(builder.EntityName ?? typeof(T).Name);
        var setters = new List<PropertySetter>();
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

            setters.Add((PropertySetter)Activator.CreateInstance(typeof(PropertySetter<>).MakeGenericType(typeof(T), property.PropertyType), property)!);
        }

        schemaBuilder.Key([.. builder.KeyNames.Count > 0 ? builder.KeyNames : attributeKey]);
        var problems = builder.KeyNames.Concat(builder.RequiredNames).Where(skipped.Contains).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{typeof(T).Name}: properties {string.Join(", ", problems)} have a type DataImport cannot convert to.");
        }

        var entity = new PocoEntity<T>(schemaBuilder.Build(), [.. setters]);
        foreach (var validator in builder.Validators)
        {
            entity.AddValidator(validator);
        }

        return entity;
    }

    public override object CreateRecord(FieldValue[] values, bool[] mapped)
    {
        var record = new T();
        for (var i = 0; i < _setters.Length; i++)
        {
            if (mapped[i] && values[i].HasValue)
            {
                _setters[i].Set(record, in values[i]);
            }
        }

        return record;
    }

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

    private abstract class PropertySetter
    {
        public abstract void Set(T target, in FieldValue value);
    }

    private sealed class PropertySetter<TProperty> : PropertySetter
    {
        private readonly Action<T, TProperty> _set;
        private readonly FieldReader<TProperty> _read;

        public PropertySetter(PropertyInfo property)
        {
            _set = property.SetMethod!.CreateDelegate<Action<T, TProperty>>();
            _read = (FieldReader<TProperty>)CreateReader(Nullable.GetUnderlyingType(typeof(TProperty)) ?? typeof(TProperty));
        }

        public override void Set(T target, in FieldValue value) => _set(target, _read(in value));

        private static Delegate CreateReader(Type clr)
        {
            if (clr.IsEnum)
            {
                var map = Enum.GetNames(clr).ToDictionary(n => n, n => Enum.Parse(clr, n), StringComparer.OrdinalIgnoreCase);
                return new FieldReader<TProperty>((in FieldValue v) => (TProperty)map[v.Text!]);
            }

            Delegate reader = clr switch
            {
                _ when clr == typeof(string) => new FieldReader<string?>((in FieldValue v) => v.Text),
                _ when clr == typeof(int) => new FieldReader<int>((in FieldValue v) => (int)v.Integer),
                _ when clr == typeof(short) => new FieldReader<short>((in FieldValue v) => checked((short)v.Integer)),
                _ when clr == typeof(byte) => new FieldReader<byte>((in FieldValue v) => checked((byte)v.Integer)),
                _ when clr == typeof(long) => new FieldReader<long>((in FieldValue v) => v.Integer),
                _ when clr == typeof(decimal) => new FieldReader<decimal>((in FieldValue v) => v.Decimal),
                _ when clr == typeof(double) => new FieldReader<double>((in FieldValue v) => v.Double),
                _ when clr == typeof(float) => new FieldReader<float>((in FieldValue v) => (float)v.Double),
                _ when clr == typeof(bool) => new FieldReader<bool>((in FieldValue v) => v.Integer != 0),
                _ when clr == typeof(DateOnly) => new FieldReader<DateOnly>((in FieldValue v) => v.Date),
                _ when clr == typeof(DateTime) => new FieldReader<DateTime>((in FieldValue v) => v.DateTime.UtcDateTime),
                _ when clr == typeof(DateTimeOffset) => new FieldReader<DateTimeOffset>((in FieldValue v) => v.DateTime),
                _ when clr == typeof(TimeOnly) => new FieldReader<TimeOnly>((in FieldValue v) => v.Time),
                _ when clr == typeof(TimeSpan) => new FieldReader<TimeSpan>((in FieldValue v) => v.Time.ToTimeSpan()),
                _ when clr == typeof(Guid) => new FieldReader<Guid>((in FieldValue v) => v.Guid),
                _ => throw new NotSupportedException(clr.Name),
            };

            if (typeof(TProperty) == clr || typeof(TProperty) == typeof(string))
            {
                return reader;
            }

            // Nullable<TValue>: wrap the value reader so the setter takes TValue?.
            var wrap = typeof(PropertySetter<TProperty>).GetMethod(nameof(WrapNullable), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(clr);
            return (Delegate)wrap.Invoke(null, [reader])!;
        }

        private static FieldReader<TValue?> WrapNullable<TValue>(FieldReader<TValue> reader)
            where TValue : struct => (in FieldValue v) => reader(in v);
    }
}

/// <summary>Reads a property's value from a converted field; takes the field by reference, as it is about 100 bytes.</summary>
internal delegate TProperty FieldReader<TProperty>(in FieldValue value);
