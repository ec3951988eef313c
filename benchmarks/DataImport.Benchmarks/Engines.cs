using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Benchmarks;

/// <summary>Builds the engine with the benchmark entities, as a host would through AddDataImport.</summary>
public static class Engines
{
    public const string Sales = "Sales";
    public const string SalesKeyed = "SalesKeyed";
    public const string SalesSchema = "SalesSchema";
    public const string SalesSchemaKeyed = "SalesSchemaKeyed";
    public const string Customers = "Customers";
    public const string CustomersKeyed = "CustomersKeyed";

    /// <param name="readAhead"><see cref="DataImportOptions.ReadAhead"/> (which applies with one converting thread).</param>
    /// <param name="degree"><see cref="DataImportOptions.MaxDegreeOfParallelism"/>, or the default (the processor count); 1 with no read-ahead keeps each import on one thread.</param>
    public static ImportEngine Create(bool readAhead = true, int? degree = null)
    {
        var services = new ServiceCollection();
        services.AddDataImport(o =>
            {
                o.ReadAhead = readAhead;
                o.MaxDegreeOfParallelism = degree ?? o.MaxDegreeOfParallelism;
            })
            .AddEntity<SalesRecord>(e => e.Name(Sales).Formats(s => s.OrderDate, "M/d/yyyy").Formats(s => s.ShipDate, "M/d/yyyy"))
            .AddEntity<SalesRecord>(e => e.Name(SalesKeyed).Key(s => s.OrderId).Formats(s => s.OrderDate, "M/d/yyyy").Formats(s => s.ShipDate, "M/d/yyyy"))
            .AddEntity(SalesSchemaFor(SalesSchema, keyed: false))
            .AddEntity(SalesSchemaFor(SalesSchemaKeyed, keyed: true))
            .AddEntity<CustomerRecord>(e => e.Name(Customers))
            .AddEntity<CustomerRecord>(e => e.Name(CustomersKeyed).Key(c => c.CustomerId));
        return services.BuildServiceProvider().GetRequiredService<ImportEngine>();
    }

    internal static EntitySchema SalesSchemaFor(string name, bool keyed)
    {
        string[] date = ["M/d/yyyy"];
        var builder = new EntitySchemaBuilder(name)
            .Property("Region", PropertyType.String).Property("Country", PropertyType.String).Property("Item Type", PropertyType.String)
            .Property("Sales Channel", PropertyType.String).Property("Order Priority", PropertyType.String)
            .Property("Order Date", PropertyType.Date, formats: date).Property("Order ID", PropertyType.Long).Property("Ship Date", PropertyType.Date, formats: date)
            .Property("Units Sold", PropertyType.Int).Property("Unit Price", PropertyType.Decimal).Property("Unit Cost", PropertyType.Decimal)
            .Property("Total Revenue", PropertyType.Decimal).Property("Total Cost", PropertyType.Decimal).Property("Total Profit", PropertyType.Decimal);
        if (keyed)
        {
            builder.Key("Order ID");
        }

        return builder.Build();
    }

    /// <param name="expectedErrors">The row errors the file holds (the bad-rows file); the import fails the benchmark otherwise.</param>
    /// <param name="fileType"><c>csv</c> (the delimiter given) or <c>xlsx</c>.</param>
    public static async Task<long> ImportAsync<TRecord>(ImportEngine engine, string entity, string path, ImportMode mode, int expectedRows, int expectedErrors = 0, string fileType = "csv")
        where TRecord : class
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var sink = new NoOpSink<TRecord>();
        var request = new ImportRequest { Entity = entity, FileType = fileType, File = file, Mode = mode, Delimiter = fileType == "csv" ? ',' : null };
        var result = await engine.RunAsync(request, sink);
        if (result.Status != ImportJobStatus.Completed || sink.Written != expectedRows || result.ErrorCount != expectedErrors)
        {
            throw new InvalidOperationException($"The import did not complete as expected: {result.Status}, {sink.Written} written, {result.ErrorCount} errors: {result.Message} {string.Join("; ", result.Errors.Take(3).Select(e => e.Message))}");
        }

        return sink.Written;
    }
}
