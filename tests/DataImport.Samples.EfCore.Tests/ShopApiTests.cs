using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace DataImport.Samples.EfCore.Tests;

/// <summary>The sample's other faces: products by composite key, the records endpoint, health, auth, a restart.</summary>
public sealed class ShopApiTests : IAsyncLifetime
{
    private const string ProductMapping = """{"Supplier":"Supplier","Sku":"Sku","Name":"Name","Price":"Price","Stock":"Stock","Category":"Category"}""";

    private ShopTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ShopTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static MultipartFormDataContent Products() =>
        ShopTestHost.ImportForm(File.ReadAllText(ShopTestHost.SampleFile("products.csv")), "products.csv", ProductMapping);

    [Fact]
    public async Task Import_BundledProducts_LandByCompositeKeyAndAreListedByTheRecordsEndpoint()
    {
        var job = await _host.ImportAndWaitAsync("Product", Products());

        job.GetProperty("status").GetString().Should().Be("COMPLETED", job.ToString());
        (job.GetProperty("createdCount").GetInt32(), job.GetProperty("skippedCount").GetInt32(), job.GetProperty("errorCount").GetInt32())
            .Should().Be((6, 1, 3), job.ToString());
        job.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()).Should().Equal(
            "must not be negative",
            "'Seeds' is not one of the allowed values: Tools, Garden, Kitchen",
            "'lots' is not a number (expected e.g. 1234.56)",
            "a value is required");

        await using (var db = _host.OpenDatabase())
        {
            var pan = await db.Products.SingleAsync(p => p.Supplier == "COOK" && p.Sku == "PAN-28");
            (pan.Name, pan.Price, pan.Stock, pan.Category).Should().Be(("Frying pan 28 cm", 34.00m, 18, "Kitchen"));
            (await db.Products.CountAsync()).Should().Be(6);
        }

        var (status, page) = await _host.GetAsync("/api/v1/entities/Product/records?page=2&pageSize=4");
        status.Should().Be(200, page.ToString());
        page.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(6);
        page.GetProperty("pagination").GetProperty("totalPages").GetInt64().Should().Be(2);
        page.GetProperty("data").EnumerateArray().Select(p => (p.GetProperty("supplier").GetString(), p.GetProperty("sku").GetString(), p.GetProperty("price").GetDecimal()))
            .Should().Equal(("COOK", "POT-5", 49.00m), ("GREEN", "HOSE-25", 29.95m));
    }

    [Fact]
    public async Task Import_SameProductsAgain_UpdatesByCompositeKeyWithoutDuplicates()
    {
        await _host.ImportAndWaitAsync("Product", Products());
        var again = await _host.ImportAndWaitAsync("Product", ShopTestHost.ImportForm(
            "Supplier,Sku,Name,Price,Stock,Category\nACME,HAM-100,Claw hammer,21.00,100,Tools\nGREEN,HAM-100,Hammer seeds,1.00,5,Garden\n",
            "prices.csv",
            ProductMapping));

        (again.GetProperty("createdCount").GetInt32(), again.GetProperty("updatedCount").GetInt32()).Should().Be((1, 1), again.ToString());
        await using var db = _host.OpenDatabase();
        var hammers = await db.Products.Where(p => p.Sku == "HAM-100").OrderBy(p => p.Supplier).ToListAsync();
        hammers.Select(p => (p.Supplier, p.Name, p.Price, p.Stock)).Should().Equal(("ACME", "Claw hammer", 21.00m, 100), ("GREEN", "Hammer seeds", 1.00m, 5));
        (await db.Products.CountAsync()).Should().Be(7);
    }

    [Fact]
    public async Task Health_WorkerAndStoreUp_Healthy()
    {
        using var response = await _host.Client.GetAsync(new Uri("/health", UriKind.Relative));

        ((int)response.StatusCode).Should().Be(200);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Theory]
    [InlineData(null, "shop", 401)]
    [InlineData("wrong-token", "shop", 401)]
    [InlineData(ShopTestHost.Token, "other", 403)]
    [InlineData(ShopTestHost.Token, null, 400)]
    public async Task Records_WithoutTheTokenOrTheShopsDomain_Refused(string? token, string? domain, int expected)
    {
        var (status, body) = await _host.GetAsync("/api/v1/entities/Customer/records", domain, token);

        status.Should().Be(expected, body.ValueKind == JsonValueKind.Undefined ? "" : body.ToString());
    }

    [Fact]
    public void Build_NoApiTokenOutsideDevelopment_RefusesToStartNamingTheSetting()
    {
        var build = () => ShopApp.Build(["--environment", "Production", $"--Shop:DataPath={_host.DataPath}"]);

        build.Should().Throw<InvalidOperationException>().WithMessage("Set Shop:ApiToken*");
    }

    [Fact]
    public async Task Restart_SameDataFolder_JobsAndRecordsRemainAndImportsGoOn()
    {
        var first = await _host.ImportAndWaitAsync("Product", Products());

        await _host.RestartAsync();

        var (status, body) = await _host.GetAsync($"/api/v1/job/{first.GetProperty("id").GetString()}");
        status.Should().Be(200, body.ToString());
        body.GetProperty("data").GetProperty("createdCount").GetInt32().Should().Be(6);
        var second = await _host.ImportAndWaitAsync("Customer", ShopTestHost.ImportForm(
            "Name,Email\nAda Lovelace,ada@example.com\n", "one.csv", """{"1":"Name","2":"Email"}"""));
        second.GetProperty("createdCount").GetInt32().Should().Be(1, second.ToString());
        var (_, records) = await _host.GetAsync("/api/v1/entities/Product/records");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(6);
    }
}
