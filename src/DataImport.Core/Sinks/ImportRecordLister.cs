namespace DataImport;

/// <summary>
/// Lists the records that landed, so a user can see what an import did (the REST API's records endpoint). Optional: a
/// host whose persistence can page through one domain's records of an entity registers one in the container as
/// <see cref="ImportRecordLister"/>; without it, there is no records listing.
/// </summary>
/// <remarks>New virtual members may be added in later versions with default implementations.</remarks>
public abstract class ImportRecordLister
{
    /// <summary>Lists a page of one domain's records of an entity, in a stable order (e.g. the order they were created).</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="domain">The caller's domain, or <see langword="null"/>; records of other domains are never listed.</param>
    /// <param name="skip">How many records come before the page (0 or more).</param>
    /// <param name="take">How many records to return at most (1 or more).</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The page, and the number of the domain's records of the entity in all pages.</returns>
    public abstract ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken);
}

/// <summary>A page of records, as <see cref="ImportRecordLister.ListAsync"/> returns it.</summary>
public sealed class ImportRecordPage
{
    /// <summary>Gets the records of the page, each serialised as a JSON object (a dictionary of property name to value, or an entity object).</summary>
    public required IReadOnlyList<object> Records { get; init; }

    /// <summary>Gets the number of records in all pages.</summary>
    public required long Total { get; init; }
}
