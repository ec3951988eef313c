namespace DataImport.PostgreSql;

/// <summary>
/// Lists the records of the PostgreSQL record sink for the REST API's records endpoint (<see cref="ImportRecordLister"/>):
/// each record is a dictionary of property name to value, in the order the records were created.
/// </summary>
internal sealed class PostgreSqlRecordLister(PostgreSqlRecordStore store) : ImportRecordLister
{
    public override async ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(entity, domain, skip, take, cancellationToken).ConfigureAwait(false);
        return new ImportRecordPage { Records = [.. page.Records.Select(r => (object)r.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))], Total = page.Total };
    }
}
