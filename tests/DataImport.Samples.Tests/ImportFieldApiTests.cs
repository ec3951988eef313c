namespace DataImport.Samples.Tests;

/// <summary>The import form's fields: checked before the file is read, each problem reported once, naming its field.</summary>
public sealed class ImportFieldApiTests(WebApiFixture fixture) : IClassFixture<WebApiFixture>
{
    private WebApiTestHost Host => fixture.Host;

    [Theory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("7")]
    [InlineData("\"")]
    [InlineData(";;")]
    public async Task Import_DelimiterThatCannotSeparateValues_400NamingDelimiter(string delimiter)
    {
        await ExpectOneProblemAsync("delimiter", ("delimiter", delimiter));
    }

    [Fact]
    public async Task Import_ValuesWithSpaces_AreTrimmed()
    {
        var form = WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), type: " csv ", fields: [("delimiter", " , "), ("mode", " CreateAndUpdate "), ("dryRun", " true ")]);

        var job = await Host.ImportAndWaitAsync(form, "t1");

        job.GetProperty("status").GetString().Should().Be("COMPLETED");
        job.GetProperty("payload").GetProperty("delimiter").GetString().Should().Be(",");
        job.GetProperty("payload").GetProperty("dryRun").GetBoolean().Should().BeTrue();
        job.GetProperty("createdCount").GetInt32().Should().Be(395);
    }

    [Theory]
    [InlineData("841")]
    [InlineData("-841")]
    [InlineData("1440")]
    public async Task Import_TimezoneOffsetOutsideTheLibrarysRange_400NamingTimezoneOffset(string offset)
    {
        var message = await ExpectOneProblemAsync("timezoneOffset", ("timezoneOffset", offset));

        message.Should().Contain("-840 and 840");
    }

    [Fact]
    public async Task Import_TimezoneOffsetAtTheBound_Queued()
    {
        var (status, body) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), fields: [("timezoneOffset", "-840"), ("dryRun", "true")]), "t2");

        status.Should().Be(200, body.ToString());
        body.GetProperty("data").GetProperty("payload").GetProperty("timezoneOffset").GetInt32().Should().Be(-840);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("Sometimes")]
    public async Task Import_ModeNotAName_400NamingMode(string mode)
    {
        await ExpectOneProblemAsync("mode", ("mode", mode));
    }

    [Fact]
    public async Task Import_OversizedMapping_OneError()
    {
        var mapping = "{\"1\":\"" + new string('N', 70_000) + "\"}";

        var (status, body) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), mapping: mapping), "t3");

        status.Should().Be(400);
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        errors.Should().ContainSingle("an oversized field is one problem, not also a missing one");
        errors[0].GetProperty("field").GetString().Should().Be("mapping");
        errors[0].GetProperty("message").GetString().Should().Contain("longer than");
    }

    [Fact]
    public async Task Import_FieldSentTwice_OneError()
    {
        await ExpectOneProblemAsync("dryRun", ("dryRun", "true"), ("dryRun", "false"));
    }

    private async Task<string> ExpectOneProblemAsync(string field, params (string Name, string Value)[] fields)
    {
        var uploads = Host.StoredUploads();
        var (status, body) = await Host.PostImportAsync(WebApiTestHost.ImportForm(WebApiTestHost.SampleFile("customers.csv"), fields: fields), "t9");

        status.Should().Be(400, body.ToString());
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        errors.Should().ContainSingle(body.ToString());
        errors[0].GetProperty("field").GetString().Should().Be(field);
        (await Host.JobIdsAsync("t9")).Should().BeEmpty();
        Host.StoredUploads().Should().BeEquivalentTo(uploads, "a request refused before its file is never stored");
        return errors[0].GetProperty("message").GetString()!;
    }
}
