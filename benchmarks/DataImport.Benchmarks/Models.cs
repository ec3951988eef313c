using System.Globalization;

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
