using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DataImport.Samples.Tests;

public sealed class ImportApiTests(WebApiFixture fixture) : IClassFixture<WebApiFixture>
{
    private WebApiTestHost Host => fixture.Host;

    [Theory]
    [InlineData("customers.csv", "csv", "t1")]
    [InlineData("customers.xlsx", "xlsx", "t2")]
    public async Task Import_BundledCustomers_CompletesWithTheSeedsJobObject(string file, string type, string domain)
    {
        var (status, started) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile(file), type), domain);

        status.Should().Be(200);
        started.GetProperty("error").GetBoolean().Should().BeFalse();
        started.GetProperty("errors").GetArrayLength().Should().Be(0);
        var queued = started.GetProperty("data");
        queued.GetProperty("status").GetString().Should().BeOneOf("QUEUED", "IN_PROGRESS", "COMPLETED");
        queued.GetProperty("type").GetString().Should().Be("IMPORT");
        queued.GetProperty("code").GetString().Should().Be(queued.GetProperty("id").GetString());

        var job = await Host.WaitAsync(queued.GetProperty("id").GetString()!, domain);

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("progress").GetInt32().Should().Be(100);
        job.GetProperty("fileName").GetString().Should().Be(file);
        job.GetProperty("totalItems").GetInt32().Should().Be(400);
        job.GetProperty("processedItems").GetInt32().Should().Be(400);
        job.GetProperty("createdCount").GetInt32().Should().Be(395);
        job.GetProperty("updatedCount").GetInt32().Should().Be(1);
        job.GetProperty("skippedCount").GetInt32().Should().Be(1);
        job.GetProperty("errorCount").GetInt32().Should().Be(3);
        job.GetProperty("importedCount").GetInt32().Should().Be(396);
        job.GetProperty("failedCount").GetInt32().Should().Be(4);
        job.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Should().Equal(19, 44, 101, 152);
        job.GetProperty("payload").GetProperty("type").GetString().Should().Be(type);
        job.GetProperty("output").GetProperty("importedCount").GetInt32().Should().Be(396);
        foreach (var field in new[] { "entity", "createdDate", "createdAt", "startedDate", "jobStart", "completedDate", "jobEnd", "updatedAt", "lastHeartbeat", "duration", "notImportedDownloadUrl" })
        {
            job.TryGetProperty(field, out var value).Should().BeTrue(field);
            value.ValueKind.Should().NotBe(JsonValueKind.Null, field);
        }

        job.GetProperty("jobStart").GetString().Should().Be(job.GetProperty("startedDate").GetString());
    }

    [Fact]
    public async Task NotImported_DownloadedWithoutTokenFixedAndReimported_AllRecordsListed()
    {
        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t3");
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;

        using var download = await Host.Client.GetAsync(link);
        download.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var csv = await download.Content.ReadAsStringAsync();
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("Name,Email,Balance,Born,Joined,Active,Tier,Row,Reason");
        lines.Should().HaveCount(5);

        var fixedCsv = csv.Replace("\r\n,kofi.18", "\r\nKofi Fixed,kofi.18", StringComparison.Ordinal)
            .Replace("\"12,34.5\"", "1234.5", StringComparison.Ordinal)
            .Replace("Platinum", "Gold", StringComparison.Ordinal)
            .Replace("1990-02-30", "1990-02-28", StringComparison.Ordinal);
        var reimport = await Host.ImportAndWaitAsync(
            WebApiTestHost.ImportForm(new ByteArrayContent(Encoding.UTF8.GetBytes(fixedCsv)), "customers.not-imported.csv"), "t3");

        reimport.GetProperty("status").GetString().Should().Be("COMPLETED");
        reimport.GetProperty("createdCount").GetInt32().Should().Be(4);
        reimport.GetProperty("failedCount").GetInt32().Should().Be(0);
        reimport.GetProperty("notImportedDownloadUrl").ValueKind.Should().Be(JsonValueKind.Null);

        var (status, records) = await Host.GetAsync("/api/v1/entities/Customer/records?page=1&pageSize=500", "t3");
        status.Should().Be(200);
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(399);
        records.GetProperty("pagination").GetProperty("totalPages").GetInt64().Should().Be(1);
        var rows = records.GetProperty("data").EnumerateArray().ToList();
        rows.Should().HaveCount(399);
        rows.Should().Contain(r => r.GetProperty("Name").GetString() == "Kofi Fixed" && r.GetProperty("Email").GetString() == "kofi.18@example.com");
        rows.Should().Contain(r => r.GetProperty("Email").GetString() == "ines.43@example.com" && r.GetProperty("Balance").GetDecimal() == 1234.5m);
    }

    [Fact]
    public async Task Records_SecondPage_HasPagination()
    {
        await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t4");

        var (status, body) = await Host.GetAsync("/api/v1/entities/Customer/records?page=2&pageSize=100", "t4");

        status.Should().Be(200);
        body.GetProperty("data").GetArrayLength().Should().Be(100);
        var pagination = body.GetProperty("pagination");
        pagination.GetProperty("page").GetInt32().Should().Be(2);
        pagination.GetProperty("pageSize").GetInt32().Should().Be(100);
        pagination.GetProperty("total").GetInt64().Should().Be(395);
        pagination.GetProperty("totalPages").GetInt64().Should().Be(4);
    }

    [Fact]
    public async Task Import_BadMappingIndexAndUnknownProperty_400WithOneEntryPerProblem()
    {
        var (status, body) = await Host.PostImportAsync(
            WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), mapping: """{"0":"Name","2":"Email","3":"Nope"}"""), "t5");

        status.Should().Be(400);
        body.GetProperty("error").GetBoolean().Should().BeTrue();
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        errors.Should().HaveCount(2);
        errors.Should().OnlyContain(e => e.GetProperty("field").GetString() == "mapping");
        errors[0].GetProperty("message").GetString().Should().Contain("column 0");
        errors[1].GetProperty("message").GetString().Should().Contain("'Nope'");
        body.GetProperty("data").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Import_MissingFileTypeAndBadOffset_400NamesEachField()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebApiTestHost.Mapping), "mapping" },
            { new StringContent("soon"), "timezoneOffset" },
        };

        var (status, body) = await Host.PostImportAsync(form, "t5");

        status.Should().Be(400);
        body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString())
            .Should().BeEquivalentTo(["file", "type", "timezoneOffset"]);
    }

    [Fact]
    public async Task Import_FileBeforeTheOtherFields_IsStoredAndImported()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(WebApiTestHost.SampleFile("customers.csv"))), "file", "customers.csv" },
            { new StringContent("csv"), "type" },
            { new StringContent(WebApiTestHost.Mapping), "mapping" },
            { new StringContent("true"), "dryRun" },
        };

        var job = await Host.ImportAndWaitAsync(form, "t6");

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("payload").GetProperty("dryRun").GetBoolean().Should().BeTrue();
        job.GetProperty("createdCount").GetInt32().Should().Be(395);
        var (_, records) = await Host.GetAsync("/api/v1/entities/Customer/records", "t6");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(0, "a dry run writes nothing");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Endpoints_MissingOrBadToken_401(string? token)
    {
        var (status, body) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t1", token: token);
        status.Should().Be(401);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("authorization");

        (await Host.GetAsync("/api/v1/job/anything", "t1", token)).Status.Should().Be(401);
        (await Host.GetAsync("/api/v1/entities/Customer/records", "t1", token)).Status.Should().Be(401);
    }

    [Fact]
    public async Task Endpoints_TokenUsedForDomainItDoesNotGrant_403()
    {
        var (status, body) = await Host.GetAsync("/api/v1/entities/Customer/records", "demo", WebApiTestHost.Token);

        status.Should().Be(403);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("domain");
    }

    [Fact]
    public async Task Endpoints_DevelopmentToken_GrantsDemo()
    {
        var (status, body) = await Host.GetAsync("/api/v1/entities", "demo", "dev-token");

        status.Should().Be(200);
        var customer = body.GetProperty("data").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Customer");
        customer.GetProperty("properties").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .Should().Equal("Name", "Email", "Balance", "Born", "Joined", "Active", "Tier");
    }

    [Fact]
    public async Task Endpoints_MissingDomainHeader_400()
    {
        var (status, body) = await Host.GetAsync("/api/v1/entities", domain: null);

        status.Should().Be(400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("domain");
    }

    [Fact]
    public async Task Import_UnknownEntity_404()
    {
        var (status, body) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t1", entity: "Order");

        status.Should().Be(404);
        body.GetProperty("message").GetString().Should().Contain("'Order'").And.Contain("Customer");
        (await Host.GetAsync("/api/v1/entities/Order/records", "t1")).Status.Should().Be(404);
    }

    [Fact]
    public async Task Import_JsonBody_415()
    {
        var request = Host.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", "t1");
        request.Content = new StringContent("""{"type":"csv"}""", Encoding.UTF8, "application/json");

        var (status, body) = await Host.SendAsync(request);

        status.Should().Be(415);
        body.GetProperty("message").GetString().Should().Contain("multipart/form-data");
    }

    [Fact]
    public async Task Import_JsonBodyWithoutToken_401BeforeTheBodyIsLookedAt()
    {
        var request = Host.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", "t1", token: null);
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");

        (await Host.SendAsync(request)).Status.Should().Be(401);
    }

    [Fact]
    public async Task Job_UnknownId_404()
    {
        (await Host.GetAsync("/api/v1/job/no-such-job", "t1")).Status.Should().Be(404);
    }

    [Fact]
    public async Task CrossDomain_JobRecordsAndLink_Denied()
    {
        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "iso-a");
        var id = job.GetProperty("id").GetString()!;
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;

        (await Host.GetAsync($"/api/v1/job/{id}", "iso-b")).Status.Should().Be(404);
        (await Host.SendAsync(Host.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "iso-b"))).Status.Should().Be(404);
        var (_, records) = await Host.GetAsync("/api/v1/entities/Customer/records", "iso-b");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(0);
        var (_, own) = await Host.GetAsync("/api/v1/entities/Customer/records", "iso-a");
        own.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(395);

        using var otherDomain = await Host.Client.GetAsync(link.Replace("domain=iso-a", "domain=iso-b", StringComparison.Ordinal));
        otherDomain.StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        (await otherDomain.Content.ReadAsStringAsync()).Should().NotContain("kofi");
    }

    [Fact]
    public async Task NotImportedLink_TamperedSignatureOrExpiry_403()
    {
        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t7");
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;
        var sigAt = link.IndexOf("sig=", StringComparison.Ordinal) + 4;
        var tamperedSig = link[..sigAt] + (link[sigAt] == 'A' ? 'B' : 'A') + link[(sigAt + 1)..];
        var laterExpiry = System.Text.RegularExpressions.Regex.Replace(link, "expires=(\\d+)", m => "expires=" + (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 86_400));

        foreach (var bad in new[] { tamperedSig, laterExpiry, link[..(sigAt - 5)] })
        {
            var (status, body) = await Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, bad));
            status.Should().Be(403, bad);
            body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("sig");
        }

        using var genuine = await Host.Client.GetAsync(link);
        genuine.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task NotImportedLink_SignatureSpelledAnotherWay_403()
    {
        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), fields: ("dryRun", "true")), "t9");
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;
        var sigAt = link.IndexOf("sig=", StringComparison.Ordinal) + 4;
        var sig = link[sigAt..];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        // 32 bytes are 43 characters whose last carries 4 bits and 2 spare ones: a spare bit set decodes to the same bytes.
        var spareBitSet = sig[..^1] + alphabet[alphabet.IndexOf(sig[^1], StringComparison.Ordinal) ^ 1];
        var swapped = new string(sig.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());
        foreach (var variant in new[] { sig + "=", sig + "%3D", sig + "%3D%3D", "%20" + sig, sig + "%20", sig + "%0A", sig + "+", swapped, spareBitSet })
        {
            var (status, body) = await Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, link[..sigAt] + variant));
            status.Should().Be(403, variant);
            body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("sig");
        }

        using var genuine = await Host.Client.GetAsync(link);
        genuine.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task Cancel_FinishedJob_StaysCompleted()
    {
        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), fields: ("dryRun", "true")), "t8");

        var (status, body) = await Host.SendAsync(Host.Request(HttpMethod.Post, $"/api/v1/job/{job.GetProperty("id").GetString()}/cancel", "t8"));

        status.Should().Be(200);
        body.GetProperty("data").GetProperty("status").GetString().Should().Be("COMPLETED");
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheImportEndpoint()
    {
        using var response = await Host.Client.GetAsync("/openapi/v1.json");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        paths.GetProperty("/api/v1/entities/{entity}/import").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("multipart/form-data").GetProperty("schema").GetProperty("required").EnumerateArray().Select(r => r.GetString())
            .Should().BeEquivalentTo(["type", "file", "mapping"]);
        paths.TryGetProperty("/api/v1/job/{id}", out _).Should().BeTrue();
    }

    [Fact]
    public async Task UnknownRoute_404Envelope()
    {
        var (status, body) = await Host.GetAsync("/api/v1/nothing-here", "t1");

        status.Should().Be(404);
        body.GetProperty("error").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Job_MalformedCsv_FailsWithAProblemNamingRowAndColumn()
    {
        var csv = "Name,Email\nAda,a@x.com\nBob,\"b@\"x.com\n"u8.ToArray();

        var job = await Host.ImportAndWaitAsync(WebApiTestHost.ImportForm(new ByteArrayContent(csv), "bad.csv", mapping: """{"1":"Name","2":"Email"}"""), "t-failure");

        job.GetProperty("status").GetString().Should().Be("FAILED");
        var failure = job.GetProperty("failure");
        failure.GetProperty("code").GetString().Should().Be("invalid_file");
        failure.GetProperty("row").GetInt32().Should().Be(3);
        failure.GetProperty("column").GetInt32().Should().Be(2);
        failure.GetProperty("message").GetString().Should().Be(job.GetProperty("message").GetString());
    }
}

public sealed class UploadLimitTests
{
    [Fact]
    public async Task Import_FileOverConfiguredLimit_413()
    {
        await using var host = await WebApiTestHost.StartAsync("--DataImport:MaxFileBytes=2000");

        var (status, body) = await host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv")), "t1");

        status.Should().Be(413);
        body.GetProperty("message").GetString().Should().Contain("2,000 bytes");
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("file");
        (await host.GetAsync("/api/v1/jobs", "t1")).Body.GetProperty("data").GetArrayLength().Should().Be(0);
    }

}
