using Microsoft.EntityFrameworkCore;

namespace DataImport.Samples.EfCore.Shop;

/// <summary>The shop's database: customers and products, as an application already has them.</summary>
/// <param name="options">The options (the SQLite file).</param>
public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    /// <summary>Gets the customers.</summary>
    public DbSet<Customer> Customers => Set<Customer>();

    /// <summary>Gets the products.</summary>
    public DbSet<Product> Products => Set<Product>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // A unique e-mail: the import looks customers up by it, and a row that would duplicate one is refused by its row.
        modelBuilder.Entity<Customer>().HasIndex(c => c.Email).IsUnique();
        modelBuilder.Entity<Product>().HasKey(p => new { p.Supplier, p.Sku });
    }
}
