using System.Globalization;
using CsvHelper.Configuration;

namespace DataImport.Benchmarks;

/// <summary>One row of the SalesRecords-like file, typed as an application would declare it.</summary>
public sealed class SalesRecord
{
    public string Region { get; set; } = "";

    public string Country { get; set; } = "";

    public string ItemType { get; set; } = "";

    public string SalesChannel { get; set; } = "";

    public string OrderPriority { get; set; } = "";

    public DateOnly OrderDate { get; set; }

    public long OrderId { get; set; }

    public DateOnly ShipDate { get; set; }

    public int UnitsSold { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal UnitCost { get; set; }

    public decimal TotalRevenue { get; set; }

    public decimal TotalCost { get; set; }

    public decimal TotalProfit { get; set; }
}

/// <summary>One row of the customers-like file (quoted fields with commas and quotes inside).</summary>
public sealed class CustomerRecord
{
    public int Index { get; set; }

    public string CustomerId { get; set; } = "";

    public string FirstName { get; set; } = "";

    public string LastName { get; set; } = "";

    public string Company { get; set; } = "";

    public string City { get; set; } = "";

    public string Country { get; set; } = "";

    public string Phone { get; set; } = "";

    public string Email { get; set; } = "";

    public DateOnly SubscriptionDate { get; set; }

    public string Website { get; set; } = "";

    public string? Notes { get; set; }

    public decimal Balance { get; set; }
}

public sealed class SalesMap : ClassMap<SalesRecord>
{
    public SalesMap()
    {
        Map(m => m.Region).Name("Region");
        Map(m => m.Country).Name("Country");
        Map(m => m.ItemType).Name("Item Type");
        Map(m => m.SalesChannel).Name("Sales Channel");
        Map(m => m.OrderPriority).Name("Order Priority");
        Map(m => m.OrderDate).Name("Order Date").TypeConverterOption.Format("M/d/yyyy");
        Map(m => m.OrderId).Name("Order ID");
        Map(m => m.ShipDate).Name("Ship Date").TypeConverterOption.Format("M/d/yyyy");
        Map(m => m.UnitsSold).Name("Units Sold");
        Map(m => m.UnitPrice).Name("Unit Price");
        Map(m => m.UnitCost).Name("Unit Cost");
        Map(m => m.TotalRevenue).Name("Total Revenue");
        Map(m => m.TotalCost).Name("Total Cost");
        Map(m => m.TotalProfit).Name("Total Profit");
    }
}

public sealed class CustomerMap : ClassMap<CustomerRecord>
{
    public CustomerMap()
    {
        Map(m => m.Index).Name("Index");
        Map(m => m.CustomerId).Name("Customer Id");
        Map(m => m.FirstName).Name("First Name");
        Map(m => m.LastName).Name("Last Name");
        Map(m => m.Company).Name("Company");
        Map(m => m.City).Name("City");
        Map(m => m.Country).Name("Country");
        Map(m => m.Phone).Name("Phone");
        Map(m => m.Email).Name("Email");
        Map(m => m.SubscriptionDate).Name("Subscription Date").TypeConverterOption.Format("yyyy-MM-dd");
        Map(m => m.Website).Name("Website");
        Map(m => m.Notes).Name("Notes");
        Map(m => m.Balance).Name("Balance");
    }
}

/// <summary>The sink the engine benchmarks write to: nothing exists, and writes are dropped.</summary>
public sealed class NoOpSink<TRecord> : ImportSink<TRecord>
    where TRecord : class
{
    private static readonly IReadOnlySet<ImportKey> None = new HashSet<ImportKey>();

    public long Written { get; private set; }

    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) => new(None);

    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<TRecord>> batch, CancellationToken cancellationToken)
    {
        Written += batch.Count;
        return default;
    }
}

internal static class Inv
{
    public static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
}
