using DataImport.Entities;

namespace DataImport.DependencyInjection;

/// <summary>An entity registration recorded in the service collection.</summary>
internal sealed class EntityRegistration(string name, Func<ImportEntity> create)
{
    private readonly Lazy<ImportEntity> _entity = new(create);

    public string Name { get; } = name;

    public ImportEntity Entity => _entity.Value;
}

/// <summary>An extra validator for an entity defined at run time, added to that entity per service provider.</summary>
internal sealed record RecordValidatorRegistration(string Entity, Func<ImportRecord, IEnumerable<ValidationProblem>> Validator);

/// <summary>A sink registration: for one entity, or for every entity of the record type when <see cref="Entity"/> is null.</summary>
internal sealed record SinkRegistration(string? Entity, Type RecordType, Func<IServiceProvider, ImportSinkContext, object> Create);

/// <summary>The entities known to the engine, by name (case-insensitive); one registry per service provider.</summary>
internal sealed class EntityRegistry
{
    private readonly Dictionary<string, ImportEntity> _entities = new(StringComparer.OrdinalIgnoreCase);

    /// <exception cref="InvalidOperationException">A validator names an entity that is not registered, or one registered from a class.</exception>
    public EntityRegistry(IEnumerable<EntityRegistration> registrations, IEnumerable<RecordValidatorRegistration> validators)
    {
        foreach (var registration in registrations)
        {
            _entities[registration.Name] = registration.Entity;
        }

        foreach (var group in validators.GroupBy(v => v.Entity.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            // The registered entity object is shared by every provider built from the service collection: this provider
            // gets its own copy with the validators, so building a second provider never adds them twice.
            Add(Find(group.Key) switch
            {
                SchemaEntity entity => entity.WithValidators(group.Select(v => v.Validator)),
                null => throw new InvalidOperationException(
                    $"AddValidator names the entity '{group.Key}', which is not registered; registered entities: {Names()}."),
                var entity => throw new InvalidOperationException(
                    $"AddValidator names the entity '{entity.Schema.Name}', whose records are {entity.RecordType.Name}, not ImportRecord; add its validators with Validate when registering it with AddEntity<{entity.RecordType.Name}>."),
            });
        }
    }

    public IEnumerable<ImportEntity> All => _entities.Values;

    public ImportEntity? Find(string name) => _entities.GetValueOrDefault(name.Trim());

    public void Add(ImportEntity entity) => _entities[entity.Schema.Name] = entity;

    private string Names() => _entities.Count == 0 ? "none" : string.Join(", ", _entities.Values.Select(e => e.Schema.Name).Order(StringComparer.OrdinalIgnoreCase));
}
