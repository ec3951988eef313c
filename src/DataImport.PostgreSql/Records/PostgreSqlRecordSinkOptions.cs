namespace DataImport.PostgreSql;

/// <summary>Where the PostgreSQL record sink keeps the records of entities defined at run time.</summary>
public sealed class PostgreSqlRecordSinkOptions
{
    /// <summary>The schema the record tables live in unless <see cref="Schema"/> says otherwise.</summary>
    public const string DefaultSchema = "dataimport_records";

    /// <summary>Gets or sets the PostgreSQL schema holding one table per entity; it is created on first use.</summary>
    /// <value>The default is <c>dataimport_records</c>.</value>
    public string Schema { get; set; } = DefaultSchema;
}
