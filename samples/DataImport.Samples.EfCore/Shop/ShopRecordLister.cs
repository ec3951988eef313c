using Microsoft.EntityFrameworkCore;

namespace DataImport.Samples.EfCore.Shop;

/// <summary>
/// Serves <c>GET {prefix}/entities/{entity}/records</c> from the shop's tables: customers in the order they were created,
/// products by supplier and SKU. The tables have no tenant column (the shop is one domain), so another domain has none.
/// </summary>
internal sealed class ShopRecordLister(IDbContextFactory<ShopContext> contexts, ShopSettings settings) : ImportRecordLister
{
    public override async ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (!string.Equals(domain, settings.Domain, StringComparison.Ordinal) || skip > int.MaxValue)
        {
            return new ImportRecordPage { Records = [], Total = 0 };
        }

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return entity.Name switch
        {
            nameof(Customer) => await PageAsync(context.Customers.OrderBy(c => c.Id), (int)skip, take, cancellationToken),
            nameof(Product) => await PageAsync(context.Products.OrderBy(p => p.Supplier).ThenBy(p => p.Sku), (int)skip, take, cancellationToken),
            _ => throw new InvalidOperationException($"The shop has no table for the entity '{entity.Name}'."),
        };
    }

    private static async Task<ImportRecordPage> PageAsync<T>(IQueryable<T> ordered, int skip, int take, CancellationToken cancellationToken)
        where T : class
    {
        var page = await ordered.AsNoTracking().Skip(skip).Take(take).ToListAsync(cancellationToken);
        return new ImportRecordPage { Records = page, Total = await ordered.LongCountAsync(cancellationToken) };
    }
}
