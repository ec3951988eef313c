namespace DataImport.PostgreSql;

/// <summary>One page of an entity's records in one domain, and how many records the domain has in all.</summary>
public sealed class PostgreSqlRecordPage
{
    /// <summary>Gets the records of the page, in the order they were first written; every property is present (empty ones as <see langword="null"/>).</summary>
    public required IReadOnlyList<ImportRecord> Records { get; init; }

    /// <summary>Gets the number of records of the entity in the domain.</summary>
    public required long Total { get; init; }
}
