using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DataImport.EntityFrameworkCore.Sinks;

/// <summary>
/// How a DataImport entity meets its EF Core entity type: the key properties (checked to be mapped), the properties an
/// update may change, and the key of a tracked entity. Built once per job from the context's model.
/// </summary>
internal sealed class EntityMap<TEntity>
    where TEntity : class
{
    private readonly Func<TEntity, object?>[] _keyGetters;
    private readonly Dictionary<string, (IProperty Property, Func<TEntity, object?> Get)> _updatable;

    private EntityMap(IEntityType entityType, IProperty[] key, Dictionary<string, (IProperty Property, Func<TEntity, object?> Get)> updatable)
    {
        EntityType = entityType;
        Key = key;
        _updatable = updatable;
        _keyGetters = [.. key.Select(Getter)];
    }

    public IEntityType EntityType { get; }

    /// <summary>Gets the EF properties of the DataImport key, in key order.</summary>
    public IProperty[] Key { get; }

    /// <summary>Checks that <typeparamref name="TEntity"/> is mapped in <paramref name="model"/> with the schema's key properties.</summary>
    /// <exception cref="InvalidOperationException">It is not; the message names the entity type or the key properties.</exception>
    public static EntityMap<TEntity> Create(IModel model, EntitySchema schema, Type contextType)
    {
        var entityType = model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException(
            $"{typeof(TEntity).Name} is not an entity type of {contextType.Name}: map it in the context (a DbSet<{typeof(TEntity).Name}> property or modelBuilder.Entity<{typeof(TEntity).Name}>()) to import entity '{schema.Name}' through AddEntityFrameworkSink.");
        var key = new List<IProperty>();
        var unmapped = new List<string>();
        foreach (var property in schema.Key)
        {
            if (entityType.FindProperty(property.Name) is { PropertyInfo: not null } mapped && !mapped.IsShadowProperty())
            {
                key.Add(mapped);
            }
            else
            {
                unmapped.Add(property.Name);
            }
        }

        if (unmapped.Count > 0)
        {
            throw new InvalidOperationException(
                $"Entity '{schema.Name}': the key {(unmapped.Count == 1 ? "property" : "properties")} {string.Join(", ", unmapped)} {(unmapped.Count == 1 ? "is not a mapped property" : "are not mapped properties")} of {typeof(TEntity).Name} in {contextType.Name}. The DataImport key (e.Key(...) or [Key]) must be columns of the table, so existing records can be found by it.");
        }

        // An update changes the columns the file maps, except the key (equal by definition), the primary key (EF cannot
        // change it) and columns the database computes.
        var updatable = new Dictionary<string, (IProperty Property, Func<TEntity, object?> Get)>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in schema.Properties)
        {
            if (entityType.FindProperty(property.Name) is { PropertyInfo: not null } mapped && !mapped.IsShadowProperty()
                && !mapped.IsPrimaryKey() && !key.Contains(mapped) && mapped.GetAfterSaveBehavior() == PropertySaveBehavior.Save)
            {
                updatable[property.Name] = (mapped, Getter(mapped));
            }
        }

        return new EntityMap<TEntity>(entityType, [.. key], updatable);
    }

    /// <summary>Finds the EF property an update sets for a mapped DataImport property, and how to read it from a record.</summary>
    public bool TryGetUpdatable(string name, out (IProperty Property, Func<TEntity, object?> Get) updatable) => _updatable.TryGetValue(name, out updatable);

    /// <summary>The key of an entity as its CLR values, comparable with <see cref="ToClrKey"/>.</summary>
    public ImportKey ClrKeyOf(TEntity entity)
    {
        var values = new object?[_keyGetters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _keyGetters[i](entity);
        }

        return new ImportKey(values);
    }

    /// <summary>A DataImport key (values as the engine converts them) as the CLR values of the entity's key properties.</summary>
    public object?[] ToClrKey(ImportKey key)
    {
        var values = new object?[Key.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ToClr(key[i], Key[i].ClrType);
        }

        return values;
    }

    /// <summary>The engine's value of a key property (int, long, string for enums, DateTimeOffset, TimeOnly…) as <paramref name="clrType"/>.</summary>
    private static object? ToClr(object? value, Type clrType)
    {
        var type = Nullable.GetUnderlyingType(clrType) ?? clrType;
        return value switch
        {
            null => null,
            _ when value.GetType() == type => value,
            string text when type.IsEnum => Enum.Parse(type, text, ignoreCase: true),
            DateTimeOffset instant when type == typeof(DateTime) => instant.UtcDateTime,
            TimeOnly time when type == typeof(TimeSpan) => time.ToTimeSpan(),
            IConvertible => Convert.ChangeType(value, type, CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    private static Func<TEntity, object?> Getter(IProperty property)
    {
        var entity = Expression.Parameter(typeof(TEntity), "entity");
        var body = Expression.Convert(Expression.Property(entity, (PropertyInfo)property.PropertyInfo!), typeof(object));
        return Expression.Lambda<Func<TEntity, object?>>(body, entity).Compile();
    }
}
