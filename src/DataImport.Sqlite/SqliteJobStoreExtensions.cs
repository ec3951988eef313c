using DataImport.Sqlite;

namespace DataImport;

/// <summary>Registers the SQLite job store.</summary>
public static class SqliteJobStoreExtensions
{
    /// <summary>Keeps background jobs in a SQLite database file, so they survive restarts and several processes can share them.</summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="connectionString">The connection string, e.g. <c>Data Source=jobs.db</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty.</exception>
    public static DataImportBuilder UseSqliteJobStore(this DataImportBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var store = new SqliteImportJobStore(connectionString);
        return builder.UseJobStore(_ => store);
    }
}
