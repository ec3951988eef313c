namespace DataImport.Samples.WebApi;

/// <summary>The REST sample's settings, bound from the <c>DataImport</c> configuration section.</summary>
public sealed class WebApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DataImport";

    /// <summary>Gets or sets the folder of the SQLite databases and the uploaded files; relative to the content root.</summary>
    /// <value>The default is <c>data</c>.</value>
    public string DataPath { get; set; } = "data";

    /// <summary>Gets or sets the entity schema file (JSON); relative to the content root.</summary>
    /// <value>The default is <see langword="null"/>: the bundled <c>data/schema.json</c> beside the executable.</value>
    public string? SchemaPath { get; set; }

    /// <summary>Gets or sets the largest file accepted, in bytes; a larger upload is answered with 413.</summary>
    /// <value>The default is 100 MiB.</value>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Gets or sets the secret that signs not-imported download links (at least 32 characters).</summary>
    /// <value>The default is <see langword="null"/>: a random key per process, so links die with the process.</value>
    public string? DownloadLinkKey { get; set; }

    /// <summary>Gets or sets how many jobs run at once.</summary>
    /// <value>The default is 2.</value>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>
    /// Gets or sets where jobs, files and records live: <c>sqlite</c> (files under <see cref="DataPath"/>, one instance or
    /// instances sharing that folder) or <c>postgres</c> (one PostgreSQL database, from the <c>DataImport</c> connection
    /// string, shared by every instance).
    /// </summary>
    /// <value>The default is <c>sqlite</c>: embedded, no server to set up.</value>
    public string Store { get; set; } = "sqlite";

    /// <summary>Gets or sets the PostgreSQL schemas, when <see cref="Store"/> is <c>postgres</c>.</summary>
    public PostgreSqlSettings PostgreSql { get; set; } = new();
}

/// <summary>The PostgreSQL schemas of the REST sample (<c>DataImport:PostgreSql</c>).</summary>
public sealed class PostgreSqlSettings
{
    /// <summary>Gets or sets the schema of the jobs and files.</summary>
    /// <value>The default is <c>dataimport</c>.</value>
    public string Schema { get; set; } = "dataimport";

    /// <summary>Gets or sets the schema of the imported records (a table per entity).</summary>
    /// <value>The default is <c>dataimport_records</c>.</value>
    public string RecordsSchema { get; set; } = "dataimport_records";
}
