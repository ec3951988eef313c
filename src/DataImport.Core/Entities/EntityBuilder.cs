using System.Linq.Expressions;
using System.Reflection;

namespace DataImport;

/// <summary>
/// Configures an entity registered from a class: its name, key, rules and validators.
/// Required, maximum length, allowed values and key are also read from DataAnnotations attributes
/// (<c>[Required]</c>, <c>[MaxLength]</c>, <c>[StringLength]</c>, <c>[AllowedValues]</c>, <c>[Key]</c>).
/// </summary>
/// <typeparam name="T">The record class.</typeparam>
public sealed class EntityBuilder<T>
    where T : class, new()
{
    internal EntityBuilder()
    {
    }

    internal string? EntityName { get; private set; }

    internal List<string> KeyNames { get; } = [];

    internal HashSet<string> RequiredNames { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, int> MaxLengths { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, string[]> Allowed { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, string[]> FormatsByName { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> Ignored { get; } = new(StringComparer.Ordinal);

    internal List<Func<T, IEnumerable<ValidationProblem>>> Validators { get; } = [];

    /// <summary>Sets the entity name used in import requests.</summary>
    /// <param name="name">The name.</param>
    /// <value>The default is the class name.</value>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EntityName = name;
        return this;
    }

    /// <summary>Sets the key properties used to match existing records, replacing any <c>[Key]</c> attributes.</summary>
    /// <param name="properties">The key properties, in order.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> Key(params Expression<Func<T, object?>>[] properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        KeyNames.Clear();
        KeyNames.AddRange(properties.Select(PropertyName));
        return this;
    }

    /// <summary>Marks a property required: a row without a value for it is skipped.</summary>
    /// <param name="property">The property.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> Required(Expression<Func<T, object?>> property)
    {
        RequiredNames.Add(PropertyName(property));
        return this;
    }

    /// <summary>Sets the maximum length of a string property.</summary>
    /// <param name="property">The property.</param>
    /// <param name="maxLength">The maximum length.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> MaxLength(Expression<Func<T, object?>> property, int maxLength)
    {
        MaxLengths[PropertyName(property)] = maxLength;
        return this;
    }

    /// <summary>Restricts a property to a list of values, matched in any case and stored in this spelling.</summary>
    /// <param name="property">The property.</param>
    /// <param name="values">The allowed values.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> AllowedValues(Expression<Func<T, object?>> property, params string[] values)
    {
        Allowed[PropertyName(property)] = values;
        return this;
    }

    /// <summary>Adds .NET format strings accepted for a date, date-time or time property.</summary>
    /// <param name="property">The property.</param>
    /// <param name="formats">The formats, e.g. <c>dd.MM.yyyy</c>.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> Formats(Expression<Func<T, object?>> property, params string[] formats)
    {
        FormatsByName[PropertyName(property)] = formats;
        return this;
    }

    /// <summary>Leaves a property out of the entity, so files cannot map to it.</summary>
    /// <param name="property">The property.</param>
    /// <returns>This builder.</returns>
    public EntityBuilder<T> Ignore(Expression<Func<T, object?>> property)
    {
        Ignored.Add(PropertyName(property));
        return this;
    }

    /// <summary>Adds a rule every record must meet; a record that fails it is a row error with the message.</summary>
    /// <param name="isValid">The rule.</param>
    /// <param name="property">The property the message is about, or <see langword="null"/>.</param>
    /// <param name="message">The message shown for the row.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// With <see cref="DataImportOptions.MaxDegreeOfParallelism"/> above 1, validators run on several threads at once, each
    /// on its own record: they must not share mutable state, nor depend on other rows.
    /// </remarks>
    public EntityBuilder<T> Validate(Func<T, bool> isValid, string? property, string message)
    {
        ArgumentNullException.ThrowIfNull(isValid);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        Validators.Add(record => isValid(record) ? [] : [new ValidationProblem(property, message)]);
        return this;
    }

    /// <summary>Adds a validator that may report several problems for a record.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// With <see cref="DataImportOptions.MaxDegreeOfParallelism"/> above 1, validators run on several threads at once, each
    /// on its own record: they must not share mutable state, nor depend on other rows.
    /// </remarks>
    public EntityBuilder<T> Validate(Func<T, IEnumerable<ValidationProblem>> validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        Validators.Add(validator);
        return this;
    }

    private static string PropertyName(Expression<Func<T, object?>> expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var body = expression.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : expression.Body;
        if (body is MemberExpression { Member: PropertyInfo property } && property.DeclaringType!.IsAssignableFrom(typeof(T)))
        {
            return property.Name;
        }

        throw new ArgumentException($"'{expression}' must select a property of {typeof(T).Name}, e.g. x => x.Email.", nameof(expression));
    }
}
