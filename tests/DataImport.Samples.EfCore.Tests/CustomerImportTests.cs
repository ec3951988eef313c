using System.Net;
using System.Text.Json;
using DataImport.Samples.EfCore.Shop;
using Microsoft.EntityFrameworkCore;

namespace DataImport.Samples.EfCore.Tests;

/// <summary>Customers imported over HTTP into the sample's SQLite database through the EF Core sink, read back through the context.</summary>
public sealed class CustomerImportTests : IAsyncLifetime
{
    private const string Mapping = """{"1":"Name","2":"Email","3":"Balance","4":"Born","5":"Joined","6":"Active","7":"Tier"}""";

    private const string Customers =
        "Name,Email,Balance,Born,Joined,Active,Tier\n" +
        "Ada Lovelace,ada@example.com,120.50,1815-12-10,2024-01-02 09:30,yes,Gold\n" +
        "Alan Turing,alan@example.com,0,1912-06-23,,no,Silver\n" +
        "Grace Hopper,grace@example.com,-5,1906-12-09,,yes,Gold\n" +
        ",linus@example.com,10,,,,\n" +
        "Edsger Dijkstra,edsger@example.com,abc,,,,\n" +
        "Barbara Liskov,barbara@example.com,75.25,1939-11-07,,true,Platinum\n" +
        "Ken Thompson,,5,,,,\n" +
        "Margaret Hamilton,margaret@example.com,300,1936-08-17,2023-05-01 12:00,true,Silver\n";

    private ShopTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ShopTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Import_GoodAndBadRows_GoodRowsLandInTheDatabaseAndBadRowsDownload()
    {
        var job = await _host.ImportAndWaitAsync("Customer", ShopTestHost.ImportForm(Customers, "customers.csv", Mapping));

        job.GetProperty("status").GetString().Should().Be("COMPLETED", job.ToString());
        (job.GetProperty("totalItems").GetInt32(), job.GetProperty("createdCount").GetInt32(), job.GetProperty("updatedCount").GetInt32(),
            job.GetProperty("skippedCount").GetInt32(), job.GetProperty("errorCount").GetInt32())
            .Should().Be((8, 3, 0, 2, 3), job.ToString());
        job.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("property").GetString(), e.GetProperty("code").GetString()))
            .Should().Equal((4, "Balance", "custom"), (5, "Name", "value_required"), (6, "Balance", "invalid_value"), (7, "Tier", "not_allowed"), (8, "Email", "value_required"));

        await using (var db = _host.OpenDatabase())
        {
            var rows = await db.Customers.OrderBy(c => c.Id).ToListAsync();
            rows.Select(c => (c.Name, c.Email, c.Balance, c.Born, c.Joined, c.Active, c.Tier)).Should().Equal(
                ("Ada Lovelace", "ada@example.com", 120.50m, new DateOnly(1815, 12, 10), new DateTimeOffset(2024, 1, 2, 9, 30, 0, TimeSpan.Zero), true, "Gold"),
                ("Alan Turing", "alan@example.com", 0m, new DateOnly(1912, 6, 23), null, false, "Silver"),
                ("Margaret Hamilton", "margaret@example.com", 300m, new DateOnly(1936, 8, 17), new DateTimeOffset(2023, 5, 1, 12, 0, 0, TimeSpan.Zero), true, "Silver"));
        }

        // The rows not imported, as the user sent them, with the row and the reason: fix and import them again.
        using var download = await _host.Client.GetAsync(job.GetProperty("notImportedDownloadUrl").GetString());
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        var csv = await download.Content.ReadAsStringAsync();
        csv.TrimStart('\uFEFF').Should().Be(
            "Name,Email,Balance,Born,Joined,Active,Tier,Row,Reason\r\n" +
            "Grace Hopper,grace@example.com,-5,1906-12-09,,yes,Gold,4,Balance (column 3): must not be negative\r\n" +
            ",linus@example.com,10,,,,,5,Name (column 1): a value is required\r\n" +
            "Edsger Dijkstra,edsger@example.com,abc,,,,,6,Balance (column 3): 'abc' is not a number (expected e.g. 1234.56)\r\n" +
            "Barbara Liskov,barbara@example.com,75.25,1939-11-07,,true,Platinum,7,\"Tier (column 7): 'Platinum' is not one of the allowed values: Gold, Silver\"\r\n" +
            "Ken Thompson,,5,,,,,8,Email (column 2): a value is required\r\n");
    }

    [Fact]
    public async Task Import_CreateAndUpdateMappingSomeColumns_ChangesOnlyThoseColumns()
    {
        await _host.ImportAndWaitAsync("Customer", ShopTestHost.ImportForm(Customers, "customers.csv", Mapping));
        Customer[] before;
        await using (var db = _host.OpenDatabase())
        {
            before = [.. await db.Customers.AsNoTracking().OrderBy(c => c.Id).ToArrayAsync()];
        }

        // Only Email (the key), Name and Tier are mapped: Ada and Alan change name and tier, Linus is new.
        const string changes =
            "Email,Name,Tier\n" +
            "ada@example.com,Ada King,Silver\n" +
            "alan@example.com,Alan M. Turing,Gold\n" +
            "linus@example.com,Linus Torvalds,Gold\n";
        var job = await _host.ImportAndWaitAsync("Customer", ShopTestHost.ImportForm(changes, "changes.csv", """{"1":"Email","2":"Name","3":"Tier"}""", mode: "CreateAndUpdate"));

        job.GetProperty("status").GetString().Should().Be("COMPLETED", job.ToString());
        (job.GetProperty("createdCount").GetInt32(), job.GetProperty("updatedCount").GetInt32(), job.GetProperty("failedCount").GetInt32())
            .Should().Be((1, 2, 0), job.ToString());
        job.GetProperty("notImportedDownloadUrl").ValueKind.Should().Be(JsonValueKind.Null);

        await using var check = _host.OpenDatabase();
        var after = await check.Customers.OrderBy(c => c.Id).ToListAsync();
        after.Select(c => (c.Id, c.Name, c.Email, c.Balance, c.Born, c.Joined, c.Active, c.Tier)).Should().Equal(
            (before[0].Id, "Ada King", "ada@example.com", 120.50m, new DateOnly(1815, 12, 10), new DateTimeOffset(2024, 1, 2, 9, 30, 0, TimeSpan.Zero), true, "Silver"),
            (before[1].Id, "Alan M. Turing", "alan@example.com", 0m, new DateOnly(1912, 6, 23), null, false, "Gold"),
            (before[2].Id, before[2].Name, before[2].Email, before[2].Balance, before[2].Born, before[2].Joined, before[2].Active, before[2].Tier),
            (before[2].Id + 1, "Linus Torvalds", "linus@example.com", null, null, null, null, "Gold"));
    }
}
