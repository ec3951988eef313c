namespace DataImport;

/// <summary>What a sink factory knows when it creates the sink for one job.</summary>
/// <param name="Entity">The entity being imported.</param>
/// <param name="Domain">The tenant of the job, or <see langword="null"/>.</param>
public sealed record ImportSinkContext(EntitySchema Entity, string? Domain);
