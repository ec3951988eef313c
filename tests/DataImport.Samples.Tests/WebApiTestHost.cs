using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataImport.Samples.WebApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataImport.Samples.Tests;

/// <summary>The REST sample on a real loopback port, with its data in a temp folder, and a client for it.</summary>
public sealed class WebApiTestHost : IAsyncDisposable
{
    public const string Token = "test-token";
    public static readonly string Mapping = """{"1":"Name","2":"Email","3":"Balance","4":"Born","5":"Joined","6":"Active","7":"Tier"}""";

    private readonly WebApplication _app;

    private WebApiTestHost(WebApplication app, Uri address, string dataPath, LogCapture logs)
    {
        _app = app;
        DataPath = dataPath;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    public string DataPath { get; }

    /// <summary>What the host logged: warnings and errors of every category, and the sample's and the import endpoints' information.</summary>
    public LogCapture Logs { get; }

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
        var logs = new LogCapture();
        var app = WebApiHost.Build(args, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter<LogCapture>("DataImport.Samples", LogLevel.Information);
            builder.Logging.AddFilter<LogCapture>("DataImport.AspNetCore", LogLevel.Information);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebApiTestHost(app, new Uri(address), dataPath, logs);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? domain, string? token = Token) =>
        ApiCalls.Request(Client, method, path, domain, token);

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        var (status, text, body) = await ApiCalls.SendAsync(Client, request);
        text.Should().NotBeEmpty("every response of the sample is an envelope");
        body.GetProperty("status").GetInt32().Should().Be(status, "the envelope's status is the HTTP status: {0}", text);
        return (status, body);
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

    /// <summary>
    /// Sends an import over a raw socket: <paramref name="head"/> (request line and headers, ending in a blank line), then
    /// <paramref name="body"/>, then closes the sending side, as a client that stops mid-body does.
    /// </summary>
    /// <returns>What the server answered before closing; empty when it closed without answering.</returns>
    public async Task<string> SendRawAsync(string head, byte[] body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Client.BaseAddress!.Host, Client.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        tcp.Client.Shutdown(SocketShutdown.Send);
        var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer);
        }
        catch (IOException)
        {
            // Reset rather than closed: no answer either way.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>The head of a raw import request: request line, token, domain, content type and length.</summary>
    public static string RawImportHead(string domain, string contentType, long contentLength, string entity = "Customer") =>
        $"POST /api/v1/entities/{entity}/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Token}\r\ndomain: {domain}\r\n" +
        $"Content-Type: {contentType}\r\nContent-Length: {contentLength}\r\nConnection: close\r\n\r\n";

    /// <summary>Waits until the host has logged an entry that matches (60 s at most), e.g. that it is done with a request.</summary>
    public async Task<LogEntry> WaitForLogAsync(Func<LogEntry, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (Logs.Entries.FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The host did not log the entry within 60 s; it logged: " + string.Join(" | ", Logs.Entries.Select(e => e.Message)));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The ids of a domain's jobs.</summary>
    public async Task<IReadOnlyList<string>> JobIdsAsync(string domain)
    {
        var (status, body) = await GetAsync("/api/v1/jobs?pageSize=1000", domain);
        status.Should().Be(200, body.ToString());
        return [.. body.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()!)];
    }

    /// <summary>The uploads in the file store: the jobs' and any provisional one.</summary>
    public IReadOnlyList<string> StoredUploads()
    {
        var folder = Path.Combine(DataPath, "files");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.upload") : [];
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

/// <summary>One log entry of the host.</summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception);

/// <summary>Keeps what the host logs, for tests to look at.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}

/// <summary>One host shared by the API tests.</summary>
public sealed class WebApiFixture : IAsyncLifetime
{
    public WebApiTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebApiTestHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
