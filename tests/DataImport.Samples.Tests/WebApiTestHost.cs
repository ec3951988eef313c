using System.Net.Http.Headers;
using System.Text.Json;
using DataImport.Samples.WebApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Samples.Tests;

/// <summary>The REST sample on a real loopback port, with its data in a temp folder, and a client for it.</summary>
public sealed class WebApiTestHost : IAsyncDisposable
{
    public const string Token = "test-token";
    public static readonly string Mapping = """{"1":"Name","2":"Email","3":"Balance","4":"Born","5":"Joined","6":"Active","7":"Tier"}""";

    private readonly WebApplication _app;

    private WebApiTestHost(WebApplication app, Uri address, string dataPath)
    {
        _app = app;
        DataPath = dataPath;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    public string DataPath { get; }

    public static string SampleFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    public static Task<WebApiTestHost> StartAsync(params string[] settings) => StartAsync(null, settings);

    public static async Task<WebApiTestHost> StartAsync(Action<WebApplicationBuilder>? configure, params string[] settings)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "dataimport-web-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            "--environment", "Development",
            "--urls", "http://127.0.0.1:0",
            $"--DataImport:DataPath={dataPath}",
            // test-token grants the domains the tests use, so each test can have records of its own.
            "--DataImport:Tokens:test-token=t1,t2,t3,t4,t5,t6,t7,t8,t9,iso-a,iso-b,big,t-failure",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var app = WebApiHost.Build(args, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebApiTestHost(app, new Uri(address), dataPath);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? domain, string? token = Token)
    {
        var request = new HttpRequestMessage(method, new Uri(Client.BaseAddress!, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (domain is not null)
        {
            request.Headers.Add("domain", domain);
        }

        return request;
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var body = JsonDocument.Parse(text).RootElement.Clone();
            body.GetProperty("status").GetInt32().Should().Be((int)response.StatusCode, "the envelope's status is the HTTP status: {0}", text);
            return ((int)response.StatusCode, body);
        }
    }

    public Task<(int Status, JsonElement Body)> GetAsync(string path, string? domain, string? token = Token) =>
        SendAsync(Request(HttpMethod.Get, path, domain, token));

    public static MultipartFormDataContent ImportForm(HttpContent file, string fileName, string type = "csv", string? mapping = null, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(type), "type" },
            { new StringContent(mapping ?? Mapping), "mapping" },
        };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        form.Add(file, "file", fileName);
        return form;
    }

    public static MultipartFormDataContent ImportForm(string samplePath, string type = "csv", string? mapping = null, params (string Name, string Value)[] fields) =>
        ImportForm(new ByteArrayContent(File.ReadAllBytes(samplePath)), Path.GetFileName(samplePath), type, mapping, fields);

    public async Task<(int Status, JsonElement Body)> PostImportAsync(HttpContent form, string domain, string entity = "Customer", string? token = Token)
    {
        var request = Request(HttpMethod.Post, $"/api/v1/entities/{entity}/import", domain, token);
        request.Content = form;
        return await SendAsync(request);
    }

    /// <summary>Polls the job every 100 ms until it ends (60 s at most).</summary>
    public async Task<JsonElement> WaitAsync(string id, string domain)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, body) = await GetAsync($"/api/v1/job/{id}", domain);
            status.Should().Be(200);
            var job = body.GetProperty("data");
            if (job.GetProperty("status").GetString() is "COMPLETED" or "FAILED" or "CANCELLED")
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The job {id} did not end within 60 s: {job}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<JsonElement> ImportAndWaitAsync(HttpContent form, string domain)
    {
        var (status, body) = await PostImportAsync(form, domain);
        status.Should().Be(200, body.ToString());
        return await WaitAsync(body.GetProperty("data").GetProperty("id").GetString()!, domain);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One host shared by the API tests.</summary>
public sealed class WebApiFixture : IAsyncLifetime
{
    public WebApiTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebApiTestHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
