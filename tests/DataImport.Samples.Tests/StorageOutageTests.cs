using System.Net;
using System.Net.Sockets;

namespace DataImport.Samples.Tests;

/// <summary>
/// The sample on PostgreSQL with the database out of reach (a port where nothing listens: connections are refused, as
/// when the server is down or restarting). Clients get a 503 they can retry, not a 500.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private WebApiTestHost _host = null!;

    public async Task InitializeAsync()
    {
        // A loopback port just freed: nothing listens there, so every connection to it is refused at once.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _host = await WebApiTestHost.StartAsync(
            "--DataImport:Store=postgres",
            $"--ConnectionStrings:DataImport=Host=127.0.0.1;Port={port};Username=postgres;Database=dataimport;Timeout=5",
            "--DataImport:DownloadLinkKey=a signing key of at least thirty-two characters");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task DatabaseDown_PollUploadAndRecords_Answer503WithRetryAfter()
    {
        var import = _host.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", "t1");
        import.Content = WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"));
        foreach (var request in new[]
        {
            _host.Request(HttpMethod.Get, "/api/v1/job/5a7c1f0e-0000-4000-8000-000000000001", "t1"),
            import,
            _host.Request(HttpMethod.Get, "/api/v1/entities/Customer/records", "t1"),
        })
        {
            using var response = await _host.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, text);
            response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
            text.Should().Contain("cannot reach its storage at the moment; try again in a few seconds")
                .And.NotContain("Npgsql").And.NotContain("127.0.0.1", "the client is not told where the database is");
        }

        _host.Logs.Entries.Should().Contain(e => e.Message.Contains("could not be reached during POST /api/v1/entities/Customer/import", StringComparison.Ordinal));
    }
}
