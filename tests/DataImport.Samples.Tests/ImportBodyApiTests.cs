using System.Text;
using Microsoft.Extensions.Logging;

namespace DataImport.Samples.Tests;

/// <summary>The multipart body of an import: a job exists only for a whole, valid body; a broken body is a 400, never a 500.</summary>
public sealed class ImportBodyApiTests(WebApiFixture fixture) : IClassFixture<WebApiFixture>
{
    private WebApiTestHost Host => fixture.Host;

    [Fact]
    public async Task Import_MalformedFieldAfterTheFile_400AndNoJob()
    {
        using var form = FileThen(("timezoneOffset", "soon"));
        var uploads = Host.StoredUploads();

        var (status, body) = await Host.PostImportAsync(form, "t1");

        status.Should().Be(400, body.ToString());
        body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Should().Equal("timezoneOffset");
        (await Host.JobIdsAsync("t1")).Should().BeEmpty("the body was refused, so no job may exist, not even a cancelled one");
        Host.StoredUploads().Should().BeEquivalentTo(uploads, "the provisional upload is deleted");
    }

    [Fact]
    public async Task Import_DryRunAfterTheFile_JobIsADryRun()
    {
        using var form = FileThen(("dryRun", "true"));

        var job = await Host.ImportAndWaitAsync(form, "t2");

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("payload").GetProperty("dryRun").GetBoolean().Should().BeTrue();
        job.GetProperty("createdCount").GetInt32().Should().Be(395);
        var (_, records) = await Host.GetAsync("/api/v1/entities/Customer/records", "t2");
        records.GetProperty("pagination").GetProperty("total").GetInt64().Should().Be(0, "a dry run writes nothing");
    }

    [Theory]
    [InlineData("after the file", "t3")]
    [InlineData("inside the file", "t4")]
    [InlineData("after the headers", "t5")]
    public async Task Import_BodyCutShort_NoJobNoUploadAndLoggedAsInformation(string where, string domain)
    {
        using var form = FileThen(("dryRun", "true"));
        var (bytes, contentType) = await BytesAsync(form);
        var cut = where switch
        {
            "after the file" => IndexOf(bytes, "name=dryRun"),
            "inside the file" => IndexOf(bytes, "name=file") + 5_000,
            _ => 0,
        };
        var disconnectsBefore = Disconnects();
        var uploads = Host.StoredUploads();

        var answer = await Host.SendRawAsync(WebApiTestHost.RawImportHead(domain, contentType, bytes.Length), bytes[..cut]);
        // Kestrel closes the connection when the body ends early, so usually there is no answer at all; a 400 would do too.
        answer.Should().NotContain(" 500 ").And.NotContain(" 200 ");
        await Host.WaitForLogAsync(e => Disconnects() > disconnectsBefore);

        (await Host.JobIdsAsync(domain)).Should().BeEmpty("the body never ended, so the request was never whole");
        Host.StoredUploads().Should().BeEquivalentTo(uploads, "the provisional upload is deleted");
        Host.Logs.Entries.Should().NotContain(e => e.Level >= LogLevel.Error, "a client going away is not an error of the host");
    }

    [Fact]
    public async Task Import_NoClosingBoundary_400Envelope()
    {
        using var form = FileThen(("dryRun", "true"));
        var (bytes, contentType) = await BytesAsync(form);
        var closing = Encoding.ASCII.GetBytes("--" + form.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"') + "--");
        var end = bytes.AsSpan().LastIndexOf(closing);

        await ExpectMalformedAsync(bytes[..end], contentType, "t6");
    }

    [Theory]
    [InlineData("this is not a multipart body at all")]
    [InlineData("--abc\r\nthis header line has no colon\r\n\r\nvalue\r\n--abc--\r\n")]
    [InlineData("--abc\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ncsv")]
    public async Task Import_GarbageBody_400Envelope(string text)
    {
        await ExpectMalformedAsync(Encoding.ASCII.GetBytes(text), "multipart/form-data; boundary=abc", "t7");
    }

    [Fact]
    public async Task Import_BoundaryOver70Characters_400NamingContentType()
    {
        var boundary = new string('b', 71);
        var body = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ncsv\r\n--{boundary}--\r\n");

        var (status, envelope) = await ExpectMalformedAsync(body, $"multipart/form-data; boundary={boundary}", "t8");

        envelope.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("Content-Type");
        status.Should().Be(400);
    }

    private async Task<(int Status, System.Text.Json.JsonElement Body)> ExpectMalformedAsync(byte[] body, string contentType, string domain)
    {
        var uploads = Host.StoredUploads();
        var request = Host.Request(HttpMethod.Post, "/api/v1/entities/Customer/import", domain);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType).Should().BeTrue();

        var (status, envelope) = await Host.SendAsync(request);

        status.Should().Be(400, envelope.ToString());
        envelope.GetProperty("error").GetBoolean().Should().BeTrue();
        envelope.GetProperty("errors").GetArrayLength().Should().BeGreaterThan(0);
        (await Host.JobIdsAsync(domain)).Should().BeEmpty();
        Host.StoredUploads().Should().BeEquivalentTo(uploads, "the provisional upload is deleted");
        return (status, envelope);
    }

    /// <summary>The requests the host gave up on without an error: the client went away, or the body ended early.</summary>
    private int Disconnects() => Host.Logs.Entries.Count(e => e.Level == LogLevel.Information && e.Category is "DataImport.Samples.WebApi" or "DataImport.AspNetCore");

    /// <summary>An import form whose file part comes before the given fields.</summary>
    private static MultipartFormDataContent FileThen(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("csv"), "type" },
            { new StringContent(WebApiTestHost.Mapping), "mapping" },
            { new ByteArrayContent(File.ReadAllBytes(WebApiTestHost.SampleFile("customers.csv"))), "file", "customers.csv" },
        };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    private static async Task<(byte[] Bytes, string ContentType)> BytesAsync(MultipartFormDataContent form) =>
        (await form.ReadAsByteArrayAsync(), form.Headers.ContentType!.ToString());

    private static int IndexOf(byte[] bytes, string text)
    {
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text));
        at.Should().BeGreaterThan(0, text);
        return at;
    }
}
