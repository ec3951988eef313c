using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore.Tests;

/// <summary>
/// A minimal host on a loopback port: only the package, a test authentication scheme and in-memory sinks (one per
/// domain), the way a host with its own persistence would wire it.
/// </summary>
public sealed class PackageTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PackageTestHost(WebApplication app, Uri address, CustomerStore customers)
    {
        _app = app;
        Customers = customers;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    /// <summary>The records that landed, by domain.</summary>
    public CustomerStore Customers { get; }

    /// <param name="endpoints">Configures the endpoints' options.</param>
    /// <param name="services">Adds or replaces services (e.g. a domain resolver) after the package's.</param>
    /// <param name="map">Maps the endpoints; the default is <c>MapDataImport("/api/v1").RequireAuthorization()</c>.</param>
    public static async Task<PackageTestHost> StartAsync(
        Action<DataImportEndpointOptions>? endpoints = null, Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(TestAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        var customers = new CustomerStore();
        builder.Services.AddSingleton(customers);
        builder.Services.AddSingleton<ImportRecordLister>(customers);
        builder.Services.AddDataImport()
            .AddEntity<Customer>(e => e.Key(c => c.Email))
            .AddSink<Customer>((_, context) => customers.SinkFor(context.Domain))
            .AddBackgroundJobs(jobs => jobs.FilesPath = Path.Combine(Path.GetTempPath(), "dataimport-aspnet-" + Guid.NewGuid().ToString("N")));
        builder.Services.AddDataImportEndpoints(endpoints);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        if (map is null)
        {
            app.MapDataImport("/api/v1").RequireAuthorization();
        }
        else
        {
            map(app);
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PackageTestHost(app, new Uri(address), customers);
    }

    /// <summary>A request as a user holding the given domains (none: no credentials).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? domain, params string[] userDomains)
    {
        var request = new HttpRequestMessage(method, path);
        if (userDomains.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(TestAuthentication.SchemeName, string.Join(',', userDomains));
        }

        if (domain is not null)
        {
            request.Headers.Add("domain", domain);
        }

        return request;
    }

    public async Task<(int Status, string? ContentType, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>Starts an import of a generated CSV of customers as a user of the domain.</summary>
    public async Task<string> StartImportAsync(string domain, int rows, string prefix = "/api/v1", int badRowEvery = 0)
    {
        var request = Request(HttpMethod.Post, $"{prefix}/entities/Customer/import", domain, domain);
        request.Content = ImportForm(CustomersCsv(rows, badRowEvery));
        var (status, _, body) = await SendAsync(request);
        status.Should().Be(200, body.ToString());
        return body.GetProperty("data").GetProperty("id").GetString()!;
    }

    /// <summary>Polls the job every 50 ms until it ends (60 s at most).</summary>
    public async Task<JsonElement> WaitAsync(string id, string domain, string prefix = "/api/v1")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, _, body) = await SendAsync(Request(HttpMethod.Get, $"{prefix}/job/{id}", domain, domain));
            status.Should().Be(200, body.ToString());
            var job = body.GetProperty("data");
            if (job.GetProperty("status").GetString() is "COMPLETED" or "FAILED" or "CANCELLED")
            {
                return job;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the job {0} should end within 60 s", id);
            await Task.Delay(50);
        }
    }

    /// <summary>Rows of customers; every <paramref name="badRowEvery"/>-th row has a balance that is not a number.</summary>
    public static string CustomersCsv(int rows, int badRowEvery = 0)
    {
        var csv = new StringBuilder("Name,Email,Balance\n");
        for (var i = 1; i <= rows; i++)
        {
            var balance = badRowEvery > 0 && i % badRowEvery == 0 ? "lots" : (i % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            csv.Append("Person ").Append(i).Append(",p").Append(i).Append("@example.com,").Append(balance).Append('\n');
        }

        return csv.ToString();
    }

    public static MultipartFormDataContent ImportForm(string csv) => new()
    {
        { new StringContent("csv"), "type" },
        { new StringContent("""{"1":"Name","2":"Email","3":"Balance"}"""), "mapping" },
        { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "customers.csv" },
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        var files = _app.Services.GetRequiredService<IOptions<ImportJobsOptions>>().Value.FilesPath;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (files is not null && Directory.Exists(files))
        {
            Directory.Delete(files, recursive: true);
        }
    }
}

public sealed class Customer
{
    [Required] public string Name { get; set; } = "";

    [Required] public string Email { get; set; } = "";

    public decimal? Balance { get; set; }
}

/// <summary>In-memory customers per domain, listed by the records endpoint.</summary>
public sealed class CustomerStore : ImportRecordLister
{
    private readonly ConcurrentDictionary<string, InMemoryImportSink<Customer>> _sinks = new(StringComparer.Ordinal);

    public InMemoryImportSink<Customer> For(string? domain) => _sinks.GetOrAdd(domain ?? "", _ => new InMemoryImportSink<Customer>());

    /// <summary>
    /// When set, imports started after it wait before their first write until it completes: a test holds a job running
    /// (a real database is that slow) to observe it mid-import, whatever the machine's speed.
    /// </summary>
    public TaskCompletionSource? HoldWrites { get; set; }

    /// <summary>The sink an import of the domain writes to: the domain's records, held by <see cref="HoldWrites"/> when set.</summary>
    public ImportSink<Customer> SinkFor(string? domain) =>
        HoldWrites is { } hold ? new HeldSink(For(domain), hold.Task) : For(domain);

    private sealed class HeldSink(InMemoryImportSink<Customer> inner, Task released) : ImportSink<Customer>
    {
        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(keys, cancellationToken);

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            await released.WaitAsync(cancellationToken);
            await inner.WriteAsync(batch, cancellationToken);
        }
    }

    public override ValueTask<ImportRecordPage> ListAsync(EntitySchema entity, string? domain, long skip, int take, CancellationToken cancellationToken)
    {
        var records = For(domain).Records;
        return ValueTask.FromResult(new ImportRecordPage { Records = [.. records.Skip((int)Math.Min(skip, int.MaxValue)).Take(take)], Total = records.Count });
    }
}

/// <summary>
/// The test's authentication: <c>Authorization: Test d1,d2</c> signs in a user with a <c>domain</c> claim per listed
/// domain and a <c>tenant</c> claim of the first. No header: no user.
/// </summary>
public sealed class TestAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var domains = header[(SchemeName.Length + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var claims = domains.Select(d => new Claim("domain", d)).Append(new Claim("tenant", domains[0]));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
