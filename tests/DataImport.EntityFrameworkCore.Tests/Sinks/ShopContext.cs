using Microsoft.EntityFrameworkCore;

namespace DataImport.EntityFrameworkCore.Tests.Sinks;

/// <summary>A host's entity: a generated primary key, the import key (Email) and another unique column (Code).</summary>
public sealed class Client
{
    public int Id { get; set; }

    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    public string? Code { get; set; }

    public decimal? Balance { get; set; }

    public DateOnly? Born { get; set; }

    /// <summary>A column no file maps; imports must leave it as it is.</summary>
    public string? Notes { get; set; }
}

/// <summary>An entity whose key is composite: a region and a number.</summary>
public sealed class Stock
{
    public string Region { get; set; } = "";

    public int Number { get; set; }

    public int Quantity { get; set; }

    public string? Label { get; set; }
}

/// <summary>An entity whose DataImport key is not a column (the context ignores it).</summary>
public sealed class Ticket
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public string Reference { get; set; } = "";
}

/// <summary>An entity without an import key: every row is a new record, so a batch written twice would show as duplicates.</summary>
public sealed class Visit
{
    public int Id { get; set; }

    public string Page { get; set; } = "";

    public int Seconds { get; set; }
}

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Client> Clients => Set<Client>();

    public DbSet<Stock> Stocks => Set<Stock>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Client>(e =>
        {
            e.HasIndex(c => c.Email).IsUnique();
            e.HasIndex(c => c.Code).IsUnique();
            e.Property(c => c.Balance).HasPrecision(18, 2);
        });
        modelBuilder.Entity<Stock>().HasKey(s => new { s.Region, s.Number });
        modelBuilder.Entity<Ticket>().Ignore(t => t.Reference);
        modelBuilder.Entity<Visit>();
    }
}
