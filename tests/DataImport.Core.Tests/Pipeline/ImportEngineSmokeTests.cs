namespace DataImport.Tests.Pipeline;

public sealed class ImportEngineSmokeTests
{
    [Fact]
    public async Task RunAsync_ValidCsv_CreatesEveryRecord()
    {
        var (job, sink, notImported) = await TestEngine.ImportCustomersAsync(
            "Name,Email,Balance\nAda,ada@x.com,12.50\nBob,bob@x.com,\n");

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(2);
        job.TotalItems.Should().Be(2);
        job.Progress.Should().Be(100);
        sink.Records.Select(c => (c.Name, c.Email, c.Balance)).Should().Equal(("Ada", "ada@x.com", 12.50m), ("Bob", "bob@x.com", (decimal?)null));
        notImported.Should().Be("Name,Email,Balance,Row,Reason\r\n");
    }
}
