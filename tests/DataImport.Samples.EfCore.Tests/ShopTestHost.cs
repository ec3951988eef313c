using System.Text;
using System.Text.Json;
using DataImport.Samples.EfCore.Shop;
using DataImport.Samples.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Samples.EfCore.Tests;

/// <summary>The EF Core sample on a real loopback port, with its data folder in a temp folder, and a client for it.</summary>
public sealed class ShopTestHost : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string Domain = "shop";

    private WebApplication _app;

    private ShopTestHost(WebApplication app, string dataPath)
    {
        _app = app;
        DataPath = dataPath;
        Client = NewClient(app);
    }

    public HttpClient Client { get; private set; }

    public string DataPath { get; }

    public static string SampleFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    public static async Task<ShopTestHost> StartAsync()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "dataimport-efcore-" + Guid.NewGuid().ToString("N"));
        return new ShopTestHost(await StartAppAsync(dataPath), dataPath);
    }

    /// <summary>Stops the app and starts a new one on the same data folder, as a restart does.</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = await StartAppAsync(DataPath);
        Client = NewClient(_app);
    }

    /// <summary>A context of its own on the sample's database file, to read what landed.</summary>
    public ShopContext OpenDatabase() =>
        new(new DbContextOptionsBuilder<ShopContext>().UseSqlite($"Data Source={Path.Combine(DataPath, "shop.db")}").Options);

    public HttpRequestMessage Request(HttpMethod method, string path, string? domain = Domain, string? token = Token) =>
        ApiCalls.Request(Client, method, path, domain, token);

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        var (status, _, body) = await ApiCalls.SendAsync(Client, request);
        return (status, body);
    }

    public Task<(int Status, JsonElement Body)> GetAsync(string path, string? domain = Domain, string? token = Token) =>
        SendAsync(Request(HttpMethod.Get, path, domain, token));

    public static MultipartFormDataContent ImportForm(string csv, string fileName, string mapping, string? mode = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("csv"), "type" },
            { new StringContent(mapping), "mapping" },
        };
        if (mode is not null)
        {
            form.Add(new StringContent(mode), "mode");
        }

        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", fileName);
        return form;
    }

    public async Task<(int Status, JsonElement Body)> PostImportAsync(string entity, HttpContent form, string? domain = Domain, string? token = Token)
    {
        var request = Request(HttpMethod.Post, $"/api/v1/entities/{entity}/import", domain, token);
        request.Content = form;
        return await SendAsync(request);
    }

    /// <summary>Polls the job every 100 ms until it ends (60 s at most).</summary>
    public async Task<JsonElement> WaitAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, body) = await GetAsync($"/api/v1/job/{id}");
            status.Should().Be(200, body.ToString());
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

    /// <summary>Starts an import and polls its job to the end.</summary>
    public async Task<JsonElement> ImportAndWaitAsync(string entity, HttpContent form)
    {
        var (status, body) = await PostImportAsync(entity, form);
        status.Should().Be(200, body.ToString());
        return await WaitAsync(body.GetProperty("data").GetProperty("id").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
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

    private static async Task<WebApplication> StartAppAsync(string dataPath)
    {
        string[] args =
        [
            "--environment", "Production",
            "--urls", "http://127.0.0.1:0",
            $"--Shop:DataPath={dataPath}",
            $"--Shop:ApiToken={Token}",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = ShopApp.Build(args);
        await app.StartAsync();
        return app;
    }

    private static HttpClient NewClient(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
    }
}
