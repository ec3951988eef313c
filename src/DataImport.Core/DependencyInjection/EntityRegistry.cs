using DataImport.Entities;

namespace DataImport.DependencyInjection;

/// <summary>An entity registration recorded in the service collection.</summary>
internal sealed class EntityRegistration(string name, Func<ImportEntity> create)
{
    private readonly Lazy<ImportEntity> _entity = new(create);

    public string Name { get; } = name;

    public ImportEntity Entity => _entity.Value;
}

/// <summary>Extra validators for an entity defined at run time.</summary>
internal sealed record RecordValidatorRegistration(string Entity, Func<ImportRecord, IEnumerable<ValidationProblem>> Validator);

/// <summary>A sink registration: for one entity, or for every entity of the record type when <see cref="Entity"/> is null.</summary>
internal sealed record SinkRegistration(string? Entity, Type RecordType, Func<IServiceProvider, ImportSinkContext, object> Create);

/// <summary>The entities known to the engine, by name (case-insensitive).</summary>
internal sealed class EntityRegistry
{
    private readonly Dictionary<string, ImportEntity> _entities = new(StringComparer.OrdinalIgnoreCase);

    public EntityRegistry(IEnumerable<EntityRegistration> registrations, IEnumerable<RecordValidatorRegistration> validators)
    {
        foreach (var registration in registrations)
        {
            _entities[registration.Name] = registration.Entity;
        }

        foreach (var validator in validators)
        {
            if (Find(validator.Entity) is ImportEntity<ImportRecord> entity)
            {
                entity.AddValidator(validator.Validator);
            }
        }
    }

    public IEnumerable<ImportEntity> All => _entities.Values;

    public ImportEntity? Find(string name) => _entities.GetValueOrDefault(name.Trim());

    public void Add(ImportEntity entity) => _entities[entity.Schema.Name] = entity;
}
