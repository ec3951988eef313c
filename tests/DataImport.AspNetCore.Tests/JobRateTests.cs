namespace DataImport.AspNetCore.Tests;

public sealed class JobRateTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_RunningJobWithTotal_RateFromStartToLastUpdateAndEtaForTheRest()
    {
        var job = Job(ImportJobStatus.InProgress, created: 2_000, updatedAfter: TimeSpan.FromSeconds(4), total: 10_000);

        JobRate.Of(job).Should().Be((500.0, 16.0));
    }

    [Fact]
    public void Of_RunningJobWithoutTotal_RateButNoEta()
    {
        var job = Job(ImportJobStatus.InProgress, created: 300, updatedAfter: TimeSpan.FromSeconds(2), total: null);

        JobRate.Of(job).Should().Be((150.0, (double?)null));
    }

    [Fact]
    public void Of_NoRowYet_NeitherRateNorEta()
    {
        var job = Job(ImportJobStatus.InProgress, created: 0, updatedAfter: TimeSpan.FromSeconds(2), total: 100);

        JobRate.Of(job).Should().Be(((double?)null, (double?)null));
    }

    [Fact]
    public void Of_CompletedJob_RateOverItsDurationAndNoTimeLeft()
    {
        var job = Job(ImportJobStatus.Completed, created: 900, updatedAfter: TimeSpan.FromSeconds(10), total: 1_000) with
        {
            SkippedCount = 100,
            CompletedDate = Start.AddSeconds(4),
        };

        JobRate.Of(job).Should().Be((250.0, 0.0));
    }

    private static ImportJobDto Job(ImportJobStatus status, int created, TimeSpan updatedAfter, int? total) => new()
    {
        Id = "job",
        Entity = "Customer",
        Status = status,
        CreatedCount = created,
        TotalItems = total,
        CreatedDate = Start.AddSeconds(-1),
        StartedDate = Start,
        UpdatedAt = Start + updatedAfter,
    };
}
