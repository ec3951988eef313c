using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DataImport.AspNetCore.Tests;

/// <summary>The package in a minimal host: its own auth, an in-memory sink, the endpoints mapped in one line.</summary>
public sealed class EndpointTests
{
    [Fact]
    public async Task Import_MinimalHost_RecordsLandInTheDomainsSinkAndAreListed()
    {
        await using var host = await PackageTestHost.StartAsync();

        var id = await host.StartImportAsync("d1", rows: 120, badRowEvery: 40);
        var job = await host.WaitAsync(id, "d1");

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("createdCount").GetInt32().Should().Be(117);
        job.GetProperty("errorCount").GetInt32().Should().Be(3);
        host.Customers.For("d1").Records.Should().HaveCount(117);
        host.Customers.For("d2").Records.Should().BeEmpty();
        var (status, _, records) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/entities/Customer/records?page=2&pageSize=100", "d1", "d1"));
        status.Should().Be(200);
        records.GetProperty("data").GetArrayLength().Should().Be(17);
        records.GetProperty("data")[0].GetProperty("email").GetString().Should().Be("p103@example.com", "rows 40 and 80 were not imported");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(117);
    }

    [Fact]
    public async Task RequireAuthorization_NoCredentials_401EnvelopeNamingAuthorization()
    {
        await using var host = await PackageTestHost.StartAsync();

        var request = PackageTestHost.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", "d1");
        request.Content = PackageTestHost.ImportForm(PackageTestHost.CustomersCsv(3));
        var (status, _, body) = await host.SendAsync(request);

        status.Should().Be(401);
        body.GetProperty("status").GetInt32().Should().Be(401);
        body.GetProperty("error").GetBoolean().Should().BeTrue();
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("authorization");
        host.Customers.For("d1").Records.Should().BeEmpty();
        (await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1"))).Status.Should().Be(401);
    }

    [Fact]
    public async Task RequireAuthorization_PolicyNotMet_403EnvelopeNamingAuthorization()
    {
        await using var host = await PackageTestHost.StartAsync(map: app => app.MapDataImport("/api/v1").RequireAuthorization(p => p.RequireClaim("role", "importer")));

        var (status, _, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1", "d1"));

        status.Should().Be(403);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("authorization");
    }

    [Fact]
    public async Task DomainResolver_DomainNotAmongTheUsersClaims_403NamingDomain()
    {
        await using var host = await PackageTestHost.StartAsync();

        var (status, _, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d2", "d1"));
        var (missing, _, missingBody) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", null, "d1"));

        status.Should().Be(403);
        body.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("domain");
        body.GetProperty("message").GetString().Should().Contain("'d2'");
        missing.Should().Be(400);
        missingBody.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be("required");
    }

    [Fact]
    public async Task DomainResolver_ClaimTypeAndHeaderConfigured_GrantsFromThatClaim()
    {
        await using var host = await PackageTestHost.StartAsync(o =>
        {
            o.DomainClaimType = "tenant";
            o.DomainHeader = "X-Tenant";
        });

        var allowed = PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", null, "d1", "d2");
        allowed.Headers.Add("X-Tenant", "d1");
        var denied = PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", null, "d1", "d2");
        denied.Headers.Add("X-Tenant", "d2");

        (await host.SendAsync(allowed)).Status.Should().Be(200);
        (await host.SendAsync(denied)).Status.Should().Be(403, "only the first domain is the user's tenant claim");
    }

    [Fact]
    public async Task DomainResolver_AuthorizeDomainDelegate_DecidesInsteadOfTheClaim()
    {
        await using var host = await PackageTestHost.StartAsync(o => o.AuthorizeDomain = (context, domain) => domain.StartsWith(context.User.FindFirstValue("tenant") + "-", StringComparison.Ordinal));

        (await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1-sales", "d1"))).Status.Should().Be(200);
        (await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1", "d1"))).Status.Should().Be(403);
    }

    [Fact]
    public async Task DomainResolver_HostsOwn_TenantFromTheClaimAloneSeparatesJobs()
    {
        await using var host = await PackageTestHost.StartAsync(services: s => s.AddSingleton<ImportDomainResolver, TenantClaimResolver>());

        var import = PackageTestHost.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", null, "d7");
        import.Content = PackageTestHost.ImportForm(PackageTestHost.CustomersCsv(5));
        var (status, _, started) = await host.SendAsync(import);
        status.Should().Be(200, started.ToString());
        var id = started.GetProperty("data").GetProperty("id").GetString()!;

        (await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, $"/api/v1/job/{id}", null, "d7"))).Status.Should().Be(200);
        (await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, $"/api/v1/job/{id}", null, "d8"))).Status.Should().Be(404);
    }

    [Fact]
    public async Task ProblemDetailsOption_Errors_AreRfc9457WithTheSameEntries()
    {
        await using var host = await PackageTestHost.StartAsync(o => o.ErrorFormat = ImportErrorFormat.ProblemDetails);

        var (status, contentType, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/entities/Order/records", "d1", "d1"));
        var bad = PackageTestHost.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", "d1", "d1");
        bad.Content = new MultipartFormDataContent
        {
            { new StringContent("""{"0":"Name","2":"Nope"}"""), "mapping" },
            { new StringContent("csv"), "type" },
            { new StringContent(PackageTestHost.CustomersCsv(3)), "file", "customers.csv" },
        };
        var (badStatus, badType, badBody) = await host.SendAsync(bad);
        var (unauthorized, unauthorizedType, unauthorizedBody) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1"));
        var (ok, okType, okBody) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/jobs", "d1", "d1"));

        status.Should().Be(404);
        contentType.Should().Be("application/problem+json");
        body.GetProperty("status").GetInt32().Should().Be(404);
        body.GetProperty("title").GetString().Should().Be("Not Found");
        body.GetProperty("detail").GetString().Should().Contain("'Order'");
        body.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be(ImportProblemCodes.UnknownEntity);
        body.TryGetProperty("data", out _).Should().BeFalse();

        badStatus.Should().Be(400);
        badType.Should().Be("application/problem+json");
        badBody.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString()))
            .Should().Equal([("mapping", "invalid_mapping"), ("mapping", "invalid_mapping"), ("mapping", "invalid_mapping")], "column 0, the unknown 'Nope' and the unmapped key Email");
        badBody.GetProperty("detail").GetString().Should().Be("The import request has 3 problems.");

        unauthorized.Should().Be(401);
        unauthorizedType.Should().Be("application/problem+json");
        unauthorizedBody.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("authorization");

        ok.Should().Be(200);
        okType.Should().Be("application/json");
        okBody.GetProperty("error").GetBoolean().Should().BeFalse("successes keep the envelope");
    }

    [Fact]
    public async Task Records_HostWithoutLister_501()
    {
        await using var host = await PackageTestHost.StartAsync(services: s => s.RemoveAll<ImportRecordLister>());

        var (status, _, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/entities/Customer/records", "d1", "d1"));

        status.Should().Be(501);
        body.GetProperty("message").GetString().Should().Contain("ImportRecordLister");
    }

    [Fact]
    public async Task Prefix_Other_DownloadLinkPointsAtItAndWorksWithoutCredentials()
    {
        await using var host = await PackageTestHost.StartAsync(map: app => app.MapDataImport("/imports").RequireAuthorization());

        var id = await host.StartImportAsync("d1", rows: 20, prefix: "/imports", badRowEvery: 10);
        var job = await host.WaitAsync(id, "d1", prefix: "/imports");
        var link = job.GetProperty("notImportedDownloadUrl").GetString()!;

        link.Should().StartWith(host.Client.BaseAddress + "imports/job/" + id + "/not-imported?");
        using var download = await host.Client.GetAsync(link);
        download.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var lines = (await download.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        lines[1].Should().StartWith("Person 10,p10@example.com,lots,11,");
    }

    [Fact]
    public async Task UnknownPathUnderThePrefix_404AndWrongMethod_405WithAllow()
    {
        await using var host = await PackageTestHost.StartAsync();

        var (missing, _, missingBody) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/nothing-here", "d1", "d1"));
        using var wrongMethod = await host.Client.SendAsync(PackageTestHost.Request(HttpMethod.Delete, "/api/v1/job/some-id", "d1", "d1"));
        var (outside, _, _) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/elsewhere", "d1", "d1"));

        missing.Should().Be(404);
        missingBody.GetProperty("error").GetBoolean().Should().BeTrue();
        missingBody.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be("not_found");
        wrongMethod.StatusCode.Should().Be(System.Net.HttpStatusCode.MethodNotAllowed);
        wrongMethod.Content.Headers.Allow.Should().Equal("GET");
        outside.Should().Be(404, "paths outside the prefix are the host's");
    }

    [Fact]
    public void MapDataImport_WithoutAddDataImportEndpoints_SaysWhatToCall()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddDataImport().AddEntity<Customer>().AddBackgroundJobs();
        using var app = builder.Build();

        var map = () => app.MapDataImport();

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddDataImportEndpoints()*");
    }

    [Fact]
    public async Task UnexpectedError_500EnvelopeWithoutTheExceptionsText()
    {
        await using var host = await PackageTestHost.StartAsync(services: s => s.AddSingleton<ImportRecordLister>(new FailingLister()));

        var (status, _, body) = await host.SendAsync(PackageTestHost.Request(HttpMethod.Get, "/api/v1/entities/Customer/records", "d1", "d1"));

        status.Should().Be(500);
        body.GetProperty("message").GetString().Should().Be("An unexpected error occurred; it has been logged.");
        body.ToString().Should().NotContain("secret connection string");
    }

    [Fact]
    public async Task Options_Invalid_HostDoesNotStartAndEveryProblemIsNamed()
    {
        var start = () => PackageTestHost.StartAsync(o =>
        {
            o.DomainHeader = " ";
            o.ProgressEventInterval = TimeSpan.Zero;
        });

        var error = (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which;
        error.Failures.Should().HaveCount(2);
        error.Message.Should().Contain("DomainHeader").And.Contain("ProgressEventInterval");
    }

    private sealed class FailingLister : ImportRecordLister
    {
        public override ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("secret connection string");
    }

    /// <summary>A host's own resolver: the tenant is the user's <c>tenant</c> claim; no header.</summary>
    private sealed class TenantClaimResolver : ImportDomainResolver
    {
        public override ValueTask<ImportDomainResult> ResolveAsync(HttpContext context) =>
            ValueTask.FromResult(context.User.FindFirstValue("tenant") is { } tenant
                ? ImportDomainResult.Success(tenant)
                : ImportDomainResult.Fail(StatusCodes.Status401Unauthorized, new ImportProblem { Field = "authorization", Code = "unauthorized", Message = "Sign in." }));
    }
}
