using DataImport.Conversion;

namespace DataImport.Entities;

/// <summary>A registered entity: its schema, the record type a sink receives, and its custom validators.</summary>
internal abstract class ImportEntity
{
    protected ImportEntity(EntitySchema schema)
    {
        Schema = schema;
    }

    public EntitySchema Schema { get; }

    public abstract Type RecordType { get; }

    /// <summary>Builds a record from a converted row; only properties whose <paramref name="mapped"/> flag is set are assigned.</summary>
    public abstract object CreateRecord(FieldValue[] values, bool[] mapped);

    /// <summary>Runs the entity's custom validators over a record.</summary>
    public abstract void Validate(object record, List<ValidationProblem> problems);

    /// <summary>Calls <paramref name="visitor"/> with this entity typed by its record type (how the pipeline is started typed).</summary>
    public abstract TResult Accept<TResult>(IImportEntityVisitor<TResult> visitor);
}

/// <summary>Receives an entity typed by its record type.</summary>
internal interface IImportEntityVisitor<out TResult>
{
    TResult Visit<TRecord>(ImportEntity<TRecord> entity)
        where TRecord : class;
}

/// <summary>
/// An entity whose records are <typeparamref name="TRecord"/>. Its validators are fixed when it is created: one entity
/// object is shared by every service provider built from a service collection, so it never changes afterwards.
/// </summary>
internal abstract class ImportEntity<TRecord> : ImportEntity
    where TRecord : class
{
    private readonly Func<TRecord, IEnumerable<ValidationProblem>>[] _validators;

    protected ImportEntity(EntitySchema schema, IEnumerable<Func<TRecord, IEnumerable<ValidationProblem>>> validators)
        : base(schema)
    {
        _validators = [.. validators];
    }

    public override Type RecordType => typeof(TRecord);

    protected IReadOnlyList<Func<TRecord, IEnumerable<ValidationProblem>>> Validators => _validators;

    public override TResult Accept<TResult>(IImportEntityVisitor<TResult> visitor) => visitor.Visit(this);

    public override void Validate(object record, List<ValidationProblem> problems)
    {
        foreach (var validator in _validators)
        {
            problems.AddRange(validator((TRecord)record));
        }
    }
}

/// <summary>An entity defined at run time; its records are <see cref="ImportRecord"/>.</summary>
internal sealed class SchemaEntity : ImportEntity<ImportRecord>
{
    public SchemaEntity(EntitySchema schema, IEnumerable<Func<ImportRecord, IEnumerable<ValidationProblem>>>? validators = null)
        : base(schema, validators ?? [])
    {
    }

    /// <summary>Returns a new entity with the same schema and the given validators after this one's.</summary>
    public SchemaEntity WithValidators(IEnumerable<Func<ImportRecord, IEnumerable<ValidationProblem>>> validators) =>
        new(Schema, [.. Validators, .. validators]);

    public override object CreateRecord(FieldValue[] values, bool[] mapped) => ImportRecord.FromConverted(Schema, values, mapped);
}
