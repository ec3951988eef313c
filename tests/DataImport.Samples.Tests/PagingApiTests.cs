namespace DataImport.Samples.Tests;

/// <summary>One paging rule for the list endpoints: page from 1, pageSize 1 to 1000, a page past the end is empty.</summary>
public sealed class PagingApiTests(WebApiFixture fixture) : IClassFixture<WebApiFixture>, IAsyncLifetime
{
    private WebApiTestHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        // One import: 395 records and one job in the domain t1.
        if ((await Host.JobIdsAsync("t1")).Count == 0)
        {
            await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t1");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("5", "100")]
    [InlineData("396", "1")]
    [InlineData("2147483647", "1000")]
    [InlineData("99999999999999999999", "50")]
    public async Task Records_PageBeyondTheLast_EmptyNotPageOne(string page, string pageSize)
    {
        var (status, body) = await Host.GetAsync($"/api/v1/entities/Customer/records?page={page}&pageSize={pageSize}", "t1");

        status.Should().Be(200, body.ToString());
        body.GetProperty("data").GetArrayLength().Should().Be(0);
        body.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(395);
    }

    [Theory]
    [InlineData("2", "1")]
    [InlineData("2147483647", "1000")]
    [InlineData("99999999999999999999", "50")]
    public async Task Jobs_PageBeyondTheLast_Empty(string page, string pageSize)
    {
        var (status, body) = await Host.GetAsync($"/api/v1/jobs?page={page}&pageSize={pageSize}", "t1");

        status.Should().Be(200, body.ToString());
        body.GetProperty("data").GetArrayLength().Should().Be(0);
    }

    [Theory]
    [InlineData("/api/v1/jobs", "page=0", "page")]
    [InlineData("/api/v1/jobs", "page=-1", "page")]
    [InlineData("/api/v1/jobs", "page=abc", "page")]
    [InlineData("/api/v1/jobs", "pageSize=0", "pageSize")]
    [InlineData("/api/v1/jobs", "pageSize=1001", "pageSize")]
    [InlineData("/api/v1/jobs", "pageSize=99999999999999999999", "pageSize")]
    [InlineData("/api/v1/entities/Customer/records", "page=0", "page")]
    [InlineData("/api/v1/entities/Customer/records", "page=-1", "page")]
    [InlineData("/api/v1/entities/Customer/records", "page=abc", "page")]
    [InlineData("/api/v1/entities/Customer/records", "pageSize=0", "pageSize")]
    [InlineData("/api/v1/entities/Customer/records", "pageSize=1001", "pageSize")]
    [InlineData("/api/v1/entities/Customer/records", "pageSize=99999999999999999999", "pageSize")]
    public async Task List_PageBelowOneOrSizeOutOfRange_400NamingTheParameter(string path, string query, string field)
    {
        var (status, body) = await Host.GetAsync($"{path}?{query}", "t1");

        status.Should().Be(400, body.ToString());
        body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Should().Equal(field);
    }

    [Fact]
    public async Task Jobs_FirstPage_HasTheJob()
    {
        var (status, body) = await Host.GetAsync("/api/v1/jobs?page=1&pageSize=1", "t1");

        status.Should().Be(200);
        body.GetProperty("data").GetArrayLength().Should().Be(1);
    }
}
