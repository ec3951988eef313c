namespace DataImport;

/// <summary>What a sink factory knows when it creates the sink for one job.</summary>
public sealed class ImportSinkContext
{
    /// <summary>Gets the entity being imported.</summary>
    public required EntitySchema Entity { get; init; }

    /// <summary>Gets the tenant of the job.</summary>
    /// <value>The tenant, or <see langword="null"/> (the default) for a job without one.</value>
    public string? Domain { get; init; }
}
