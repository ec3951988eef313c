using CsvHelper;

namespace DataImport.Benchmarks;

/// <summary>
/// CsvHelper 34 source-generated mapper of <see cref="SalesRecord"/> (the same class the engine builds): header names and
/// date formats, as the 33.1 <c>SalesMap</c> declares them. The stand-in members only carry attributes.
/// </summary>
[CsvRecordMap(typeof(SalesRecord))]
public sealed partial class SalesRecordCsv34Map
{
    [CsvColumn("Item Type")]
    public string ItemType { get; set; } = "";

    [CsvColumn("Sales Channel")]
    public string SalesChannel { get; set; } = "";

    [CsvColumn("Order Priority")]
    public string OrderPriority { get; set; } = "";

    [CsvColumn("Order Date")]
    [CsvFormat("M/d/yyyy")]
    public DateOnly OrderDate { get; set; }

    [CsvColumn("Order ID")]
    public long OrderId { get; set; }

    [CsvColumn("Ship Date")]
    [CsvFormat("M/d/yyyy")]
    public DateOnly ShipDate { get; set; }

    [CsvColumn("Units Sold")]
    public int UnitsSold { get; set; }

    [CsvColumn("Unit Price")]
    public decimal UnitPrice { get; set; }

    [CsvColumn("Unit Cost")]
    public decimal UnitCost { get; set; }

    [CsvColumn("Total Revenue")]
    public decimal TotalRevenue { get; set; }

    [CsvColumn("Total Cost")]
    public decimal TotalCost { get; set; }

    [CsvColumn("Total Profit")]
    public decimal TotalProfit { get; set; }
}

/// <summary>CsvHelper 34 source-generated mapper of <see cref="CustomerRecord"/>; an empty Notes field reads as null, as in the engine.</summary>
[CsvRecordMap(typeof(CustomerRecord))]
public sealed partial class CustomerRecordCsv34Map
{
    [CsvColumn("Customer Id")]
    public string CustomerId { get; set; } = "";

    [CsvColumn("First Name")]
    public string FirstName { get; set; } = "";

    [CsvColumn("Last Name")]
    public string LastName { get; set; } = "";

    [CsvColumn("Subscription Date")]
    [CsvFormat("yyyy-MM-dd")]
    public DateOnly SubscriptionDate { get; set; }

    [CsvNullValues("")]
    public string? Notes { get; set; }
}
