namespace DataImport.Tests.Output;

public sealed class NotImportedFileTests
{
    [Fact]
    public async Task NotImported_FixedAndReimportedWithSameMapping_RowsLand()
    {
        var csv = "Name;Email;Balance\nAda;a@x.com;1,5\n;b@x.com;2\nCy;c@x.com;zwei\n";
        var mapping = TestEngine.Map("Name", "Email", "Balance");
        var (first, sink, notImported) = await TestEngine.ImportCustomersAsync(csv, locale: "de-DE", mapping: mapping);

        first.CreatedCount.Should().Be(1);
        notImported.Should().Be(
            "Name;Email;Balance;Row;Reason\r\n" +
            ";b@x.com;2;3;Name (column 1): a value is required\r\n" +
            "Cy;c@x.com;zwei;4;\"Balance (column 3): 'zwei' is not a number (expected e.g. 1234,56; locale de-DE)\"\r\n");

        var fixedCsv = notImported.Replace(";b@x.com", "Bea;b@x.com", StringComparison.Ordinal).Replace("zwei", "2,25", StringComparison.Ordinal);
        var (second, _, secondNotImported) = await TestEngine.ImportCustomersAsync(fixedCsv, locale: "de-DE", mapping: mapping, sink: sink);

        second.CreatedCount.Should().Be(2, string.Join(" ", second.Errors.Select(e => e.Message)));
        sink.Records.Select(c => (c.Name, c.Balance)).Should().Equal(("Ada", 1.5m), ("Bea", 2m), ("Cy", 2.25m));
        secondNotImported.Should().Be("Name;Email;Balance;Row;Reason\r\n");
    }

    [Fact]
    public async Task NotImported_ReasonThatLooksLikeAFormula_IsNeutralisedButSourceCellsRoundTrip()
    {
        var engine = TestEngine.Create(b => b.AddEntity<Customer>(e => e.Key(c => c.Email).Validate(_ => false, null, "=HYPERLINK(\"http://evil\")")));
        using var file = new TempFile("Name,Email\n=1+2,a@x.com\n");
        await using var input = file.Open();
        using var output = new MemoryStream();

        await engine.RunAsync(TestEngine.Csv(input, notImported: output), new InMemoryImportSink<Customer>());

        System.Text.Encoding.UTF8.GetString(output.ToArray()).Should().EndWith("=1+2,a@x.com,2,\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n");
    }

    [Fact]
    public async Task NotImported_WrittenAsUtf8WithBomAndCrlf()
    {
        using var file = new TempFile("Name,Email\n,a@x.com\n");
        await using var input = file.Open();
        using var output = new MemoryStream();

        await TestEngine.Customers().RunAsync(TestEngine.Csv(input, notImported: output), new InMemoryImportSink<Customer>());

        output.ToArray().Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
    }
}
