using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

/// <summary>A provider's error never reaches the user.</summary>
public sealed class JobStoreOutageTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task Worker_SinkThrowsProviderError_MessagePointsToTheLogWithoutTheProvidersText()
    {
        await using var host = new JobTestHost(new FakeTimeProvider(Start), _folder, new LockedDatabaseSink());
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(JobTestHost.CustomersCsv(3)));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The import stopped unexpectedly; the details are in the server log (job {queued.Id}).");
        job.Failure!.Code.Should().Be(ImportProblemCodes.Unexpected);
        job.Failure.Message.Should().NotContain("SQLite");
    }
}
