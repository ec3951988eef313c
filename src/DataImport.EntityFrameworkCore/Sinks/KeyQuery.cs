using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DataImport.EntityFrameworkCore.Sinks;

/// <summary>
/// Builds the lookup of a chunk of keys as one query whose values are parameters: a single key property is
/// <c>key IN (@p…)</c> (<c>= ANY(@p)</c> on PostgreSQL, EF's translation of <c>Contains</c>), a composite key is
/// <c>(a = @p1 AND b = @p2) OR …</c>. Chunks keep every query within the providers' parameter limits.
/// </summary>
internal static class KeyQuery
{
    /// <summary>The most parameters one lookup query binds (SQLite allows 32,766, PostgreSQL 65,535).</summary>
    public const int MaxParameters = 1000;

    /// <summary>Splits keys into chunks of at most <see cref="MaxParameters"/> values each.</summary>
    public static IEnumerable<ArraySegment<object?[]>> Chunks(object?[][] keys, int keyLength)
    {
        var size = Math.Max(1, MaxParameters / keyLength);
        for (var start = 0; start < keys.Length; start += size)
        {
            yield return new ArraySegment<object?[]>(keys, start, Math.Min(size, keys.Length - start));
        }
    }

    /// <summary>Filters <paramref name="source"/> to the entities whose key is one of <paramref name="keys"/> (CLR values in key order).</summary>
    public static IQueryable<TEntity> WhereKeyIn<TEntity>(IQueryable<TEntity> source, IProperty[] key, ArraySegment<object?[]> keys)
        where TEntity : class
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var body = key.Length == 1 ? SingleKey(entity, key[0], keys) : CompositeKey(entity, key, keys);
        return source.Where(Expression.Lambda<Func<TEntity, bool>>(body, entity));
    }

    /// <summary>Projects each entity to its key values, as CLR values in key order.</summary>
    public static IQueryable<object?[]> SelectKey<TEntity>(IQueryable<TEntity> source, IProperty[] key)
        where TEntity : class
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var values = Expression.NewArrayInit(typeof(object), key.Select(p => Expression.Convert(Property(entity, p), typeof(object))));
        return source.Select(Expression.Lambda<Func<TEntity, object?[]>>(values, entity));
    }

    private static MethodCallExpression Property(ParameterExpression entity, IProperty property) =>
        Expression.Call(typeof(EF), nameof(EF.Property), [property.ClrType], entity, Expression.Constant(property.Name));

    private static MethodCallExpression SingleKey(ParameterExpression entity, IProperty property, ArraySegment<object?[]> keys)
    {
        var values = Array.CreateInstance(property.ClrType, keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            values.SetValue(keys[i][0], i);
        }

        // A member of a captured object, not a constant: EF sends the array as parameters and caches one query shape.
        var box = Activator.CreateInstance(typeof(StrongBox<>).MakeGenericType(values.GetType()), values)!;
        var parameter = Expression.Field(Expression.Constant(box), nameof(StrongBox<object>.Value));
        return Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [property.ClrType], parameter, Property(entity, property));
    }

    private static Expression CompositeKey(ParameterExpression entity, IProperty[] key, ArraySegment<object?[]> keys)
    {
        // Padded to a power of two with the last key, so a few query shapes serve every chunk size.
        var count = (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)keys.Count), (uint)Math.Max(keys.Count, MaxParameters / key.Length));
        var flat = new object?[count * key.Length];
        for (var i = 0; i < count; i++)
        {
            var values = keys[Math.Min(i, keys.Count - 1)];
            Array.Copy(values, 0, flat, i * key.Length, key.Length);
        }

        var parameter = Expression.Field(Expression.Constant(new StrongBox<object?[]>(flat)), nameof(StrongBox<object>.Value));
        var matches = new Expression[count];
        for (var i = 0; i < count; i++)
        {
            Expression? match = null;
            for (var k = 0; k < key.Length; k++)
            {
                var value = Expression.Convert(Expression.ArrayIndex(parameter, Expression.Constant((i * key.Length) + k)), key[k].ClrType);
                var equal = Expression.Equal(Property(entity, key[k]), value);
                match = match is null ? equal : Expression.AndAlso(match, equal);
            }

            matches[i] = match!;
        }

        return Balanced(matches, 0, matches.Length);
    }

    /// <summary>ORs the matches as a balanced tree, so a long chunk does not nest as deep as it is long.</summary>
    private static Expression Balanced(Expression[] matches, int start, int count) => count == 1
        ? matches[start]
        : Expression.OrElse(Balanced(matches, start, count / 2), Balanced(matches, start + (count / 2), count - (count / 2)));
}
