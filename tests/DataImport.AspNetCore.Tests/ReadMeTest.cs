using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataImport.Samples.Minimal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static DataImport.Tests.ReadMeSource;

namespace DataImport.AspNetCore.Tests;

/// <summary>
/// The README's "Add imports to your ASP.NET Core app in 10 lines" is samples/DataImport.Samples.Minimal/Program.cs word
/// for word, and that program runs: a signed-in user imports into their domain, a request without a token gets 401.
/// </summary>
public sealed partial class ReadMeTest
{
    [Fact]
    public void ReadMe_TenLineApp_IsTheMinimalSamplesProgram()
    {
        var root = RepositoryRoot();
        var readMe = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var section = readMe[readMe.IndexOf("\n### Add imports to your ASP.NET Core app in 10 lines\n", StringComparison.Ordinal)..];
        var snippet = CSharpBlock().Match(section).Groups["code"].Value;

        var program = File.ReadAllText(Path.Combine(root, "samples", "DataImport.Samples.Minimal", "Program.cs")).ReplaceLineEndings("\n").TrimEnd();

        snippet.Should().Be(program);
    }

    [Fact]
    public async Task ReadMe_TenLineApp_ImportsIntoTheSignedInUsersDomain()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();
        var token = Token(factory.Services, "acme");
        var csv = "Name,Email,Balance\nAda,ada@example.com,10\nBob,bob@example.com,lots\nCy,cy@example.com,\n";

        using var anonymous = await client.PostAsync("/api/v1/entities/Customer/import", Form(csv));
        anonymous.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);

        using var start = new HttpRequestMessage(HttpMethod.Post, "/api/v1/entities/Customer/import") { Content = Form(csv) };
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        start.Headers.Add("domain", "acme");
        using var started = await client.SendAsync(start);
        var body = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        started.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, body.ToString());
        var id = body.GetProperty("data").GetProperty("id").GetString();

        JsonElement job;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(50);
            using var poll = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/job/{id}");
            poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            poll.Headers.Add("domain", "acme");
            using var response = await client.SendAsync(poll);
            job = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
            DateTime.UtcNow.Should().BeBefore(deadline);
        }
        while (job.GetProperty("status").GetString() is "QUEUED" or "IN_PROGRESS");

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("importedCount").GetInt32().Should().Be(2);
        job.GetProperty("errorCount").GetInt32().Should().Be(1);
        var table = factory.Services.GetRequiredService<CustomerTable>();
        table.Rows("acme").Keys.Should().BeEquivalentTo(["ada@example.com", "cy@example.com"]);
        table.Domains.Keys.Should().Equal("acme");
    }

    /// <summary>A token of the app's bearer-token scheme for a user of a domain, as the app's sign-in would issue it.</summary>
    private static string Token(IServiceProvider services, string domain)
    {
        var options = services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(BearerTokenDefaults.AuthenticationScheme);
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("domain", domain)], BearerTokenDefaults.AuthenticationScheme));
        var properties = new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) };
        return options.BearerTokenProtector.Protect(new AuthenticationTicket(user, properties, BearerTokenDefaults.AuthenticationScheme));
    }

    private static MultipartFormDataContent Form(string csv) => new()
    {
        { new StringContent("csv"), "type" },
        { new StringContent("""{"1":"Name","2":"Email","3":"Balance"}"""), "mapping" },
        { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "customers.csv" },
    };
}
