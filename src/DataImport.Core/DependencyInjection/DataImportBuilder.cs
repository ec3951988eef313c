using DataImport.DependencyInjection;
using DataImport.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DataImport;

/// <summary>Registers entities, sinks and readers with DataImport; returned by <c>AddDataImport()</c>.</summary>
public sealed class DataImportBuilder
{
    internal DataImportBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers an entity from a class; its public settable properties of supported types become the entity's properties.</summary>
    /// <typeparam name="T">The record class.</typeparam>
    /// <param name="configure">Configures name, key, rules and validators.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The class does not make a valid entity, or an entity of the same name is registered.</exception>
    public DataImportBuilder AddEntity<T>(Action<EntityBuilder<T>>? configure = null)
        where T : class, new()
    {
        var builder = new EntityBuilder<T>();
        configure?.Invoke(builder);
        var entity = PocoEntity<T>.Create(builder);
        return Add(new EntityRegistration(entity.Schema.Name, () => entity));
    }

    /// <summary>Registers an entity defined at run time; its records are <see cref="ImportRecord"/>.</summary>
    /// <param name="schema">The entity schema.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">An entity of the same name is registered.</exception>
    public DataImportBuilder AddEntity(EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var entity = new SchemaEntity(schema);
        return Add(new EntityRegistration(schema.Name, () => entity));
    }

    /// <summary>Registers entities defined at run time.</summary>
    /// <param name="schemas">The entity schemas.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">An entity of the same name is registered.</exception>
    public DataImportBuilder AddEntities(IEnumerable<EntitySchema> schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        foreach (var schema in schemas)
        {
            AddEntity(schema);
        }

        return this;
    }

    /// <summary>Registers every entity of a JSON schema document (see <see cref="EntitySchemaJson"/>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="FormatException">The schema is invalid.</exception>
    public DataImportBuilder AddEntitiesFromJson(string json)
    {
        foreach (var schema in EntitySchemaJson.Parse(json))
        {
            AddEntity(schema);
        }

        return this;
    }

    /// <summary>Adds a validator to an entity defined at run time; a record it reports problems for is a row error.</summary>
    /// <param name="entity">The entity name (compared case-insensitively); the entity may be registered before or after this call.</param>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// The entity is looked up when the container first resolves <see cref="ImportEngine"/>, once every registration is
    /// made: if no entity of that name is registered, or it was registered from a class (add its validators with
    /// <see cref="EntityBuilder{T}.Validate(Func{T, IEnumerable{ValidationProblem}})"/> instead), resolving the engine throws
    /// <see cref="InvalidOperationException"/> naming the entity and the registered ones. Each service provider built from
    /// the service collection runs the validator once per record; with <see cref="DataImportOptions.MaxDegreeOfParallelism"/>
    /// above 1 on several threads at once, each on its own record, so it must not share mutable state.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="entity"/> is empty.</exception>
    public DataImportBuilder AddValidator(string entity, Func<ImportRecord, IEnumerable<ValidationProblem>> validator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(validator);
        Services.AddSingleton(new RecordValidatorRegistration(entity, validator));
        return this;
    }

    /// <summary>Registers the sink type for an entity; one sink is created per job with the container's services.</summary>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="entity">The entity name, or <see langword="null"/> for every entity of <typeparamref name="TRecord"/> without a sink of its own.</param>
    /// <returns>This builder.</returns>
    public DataImportBuilder AddSink<TRecord, TSink>(string? entity = null)
        where TRecord : class
        where TSink : ImportSink<TRecord>
    {
        Services.AddSingleton(new SinkRegistration(entity, typeof(TRecord), (sp, _) => ActivatorUtilities.CreateInstance<TSink>(sp)));
        return this;
    }

    /// <summary>Registers a factory that creates the sink for an entity per job (it knows the job's entity and domain).</summary>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="factory">Creates the sink.</param>
    /// <param name="entity">The entity name, or <see langword="null"/> for every entity of <typeparamref name="TRecord"/> without a sink of its own.</param>
    /// <returns>This builder.</returns>
    public DataImportBuilder AddSink<TRecord>(Func<IServiceProvider, ImportSinkContext, ImportSink<TRecord>> factory, string? entity = null)
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(new SinkRegistration(entity, typeof(TRecord), (sp, context) => factory(sp, context)));
        return this;
    }

    /// <summary>Registers a reader for a file type, replacing a built-in one of the same type.</summary>
    /// <param name="reader">The reader factory.</param>
    /// <returns>This builder.</returns>
    public DataImportBuilder AddReader(ImportReaderFactory reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Services.AddSingleton(reader);
        return this;
    }

    private DataImportBuilder Add(EntityRegistration registration)
    {
        foreach (var descriptor in Services)
        {
            if (descriptor.ImplementationInstance is EntityRegistration existing
                && string.Equals(existing.Name, registration.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"An entity named '{registration.Name}' is already registered.");
            }
        }

        Services.AddSingleton(registration);
        return this;
    }
}
