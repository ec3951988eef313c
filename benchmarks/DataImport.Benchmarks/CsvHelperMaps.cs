using CsvHelper.Configuration;

namespace DataImport.Benchmarks;

/// <summary>The CsvHelper 33.1 class map of <see cref="SalesRecord"/>: header names and date formats.</summary>
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

/// <summary>The CsvHelper 33.1 class map of <see cref="CustomerRecord"/>.</summary>
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
