namespace DataImport.PostgreSql;

/// <summary>How <c>UsePostgreSql</c> keeps background jobs and their files in PostgreSQL.</summary>
public sealed class PostgreSqlImportOptions
{
    /// <summary>
    /// Gets or sets the schema the tables live in; created when missing (the role then needs <c>CREATE</c> on the
    /// database), else used as it is. Hosts that share jobs use the same schema; hosts that must not see each other's
    /// jobs use different ones. The name is used as written (quoted, so case-sensitive): ASCII letters, digits and
    /// underscores, starting with a letter or underscore, at most 63 characters, not starting with <c>pg_</c>.
    /// </summary>
    /// <value>The default is <c>dataimport</c>.</value>
    public string SchemaName { get; set; } = PostgreSqlSchema.DefaultName;

    /// <summary>
    /// Gets or sets a value indicating whether uploads and not-imported files are stored in the database too (in chunks
    /// of 1 MiB), so any host can run any job and serve any download with nothing shared but the database. Set it to
    /// <see langword="false"/> to keep the file store registered otherwise, e.g. the default local folder
    /// (<see cref="ImportJobsOptions.FilesPath"/>) on a volume every host mounts. When <c>UsePostgreSql</c> is called more
    /// than once the last call wins: <see langword="false"/> after <see langword="true"/> brings that file store back.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool StoreFiles { get; set; } = true;
}
