using Npgsql;

namespace DataImport.PostgreSql.Tests.Jobs;

/// <summary>Several store instances, each with its own data source (its own connections), as several hosts sharing one database.</summary>
public sealed class PostgreSqlSeveralHostsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = StoredJobRows.Created.AddMinutes(1);
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private readonly List<NpgsqlDataSource> _dataSources = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSources.Count > 0)
        {
            await PostgresTestDatabase.DropSchemaAsync(_dataSources[0], _schema);
        }

        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    private PostgreSqlImportJobStore Host(string? schema = null)
    {
        var dataSource = PostgresTestDatabase.CreateDataSource();
        _dataSources.Add(dataSource);
        return new PostgreSqlImportJobStore(dataSource, schema ?? _schema);
    }

    [PostgresFact]
    public async Task ClaimNextAsync_FourHostsRacingOverTenThousandJobs_ClaimEachJobOnce()
    {
        var jobs = Enumerable.Range(0, 10_000).Select(i => ($"job-{i}", $"domain-{i % 7}")).ToList();
        var hosts = Enumerable.Range(0, 4).Select(_ => Host()).ToList();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, jobs);

        var claimed = await Task.WhenAll(hosts.Select((store, n) => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (await store.ClaimNextAsync($"host-{n}", Now, Now.AddMinutes(5), default) is { } job)
            {
                // Each host finishes what it claims, as a worker does, so finishing races the other hosts' claims too.
                mine.Add(job.Id);
                (await store.TryTransitionAsync(job.Id, ImportJobStatus.InProgress, job.Job with { Status = ImportJobStatus.Completed, CompletedDate = Now }, $"host-{n}", default)).Should().BeTrue();
            }

            return mine;
        })));

        // Sorted and compared in order: an unordered equivalence of 10,000 items is quadratic in FluentAssertions.
        var all = claimed.SelectMany(c => c).Order(StringComparer.Ordinal).ToList();
        all.Should().HaveCount(10_000).And.Equal(jobs.Select(j => j.Item1).Order(StringComparer.Ordinal), "each job is claimed once");
        claimed.Should().OnlyContain(c => c.Count > 0, "every host took part");
        await using var command = _dataSources[0].CreateCommand($"SELECT count(*) FILTER (WHERE status = 2 AND attempts = 1), count(*) FROM \"{_schema}\".import_jobs");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetInt64(0), reader.GetInt64(1)).Should().Be((10_000L, 10_000L));
    }

    [PostgresFact]
    public async Task ClaimNextAsync_FourHostsRacingOverOneDomain_WaitForEachOtherAndClaimEachJobOnce()
    {
        // One domain: every claim but one finds the domain being claimed from and waits for that claim to commit.
        var jobs = Enumerable.Range(0, 1_000).Select(i => ($"job-{i}", "acme")).ToList();
        var hosts = Enumerable.Range(0, 4).Select(_ => Host()).ToList();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, jobs);

        var claimed = await Task.WhenAll(hosts.Select((store, n) => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (await store.ClaimNextAsync($"host-{n}", Now, Now.AddMinutes(5), default) is { } job)
            {
                mine.Add(job.Id);
            }

            return mine;
        })));

        claimed.SelectMany(c => c).Order(StringComparer.Ordinal).Should().Equal(jobs.Select(j => j.Item1).Order(StringComparer.Ordinal));
    }

    [PostgresFact]
    public async Task RequestCancellationAsync_OnAnotherHost_ReachesTheRunningHostsHeartbeat()
    {
        var running = Host();
        var other = Host();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, [("job-1", "acme")]);
        await running.ClaimNextAsync("host-1", Now, Now.AddMinutes(1), default);

        (await other.RequestCancellationAsync("job-1", default)).Should().BeTrue();

        (await running.HeartbeatAsync("job-1", "host-1", Now.AddSeconds(10), Now.AddMinutes(1), default)).Should().Be(new ImportJobLeaseState(true, true));
    }

    [PostgresFact]
    public async Task ClaimNextAsync_HostStoppedHeartbeating_AnotherHostTakesOverCountingTheAttempt()
    {
        var dead = Host();
        var alive = Host();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, [("job-1", "acme")]);
        await dead.ClaimNextAsync("host-1", Now, Now.AddMinutes(1), default);

        (await alive.ClaimNextAsync("host-2", Now.AddSeconds(59), Now.AddMinutes(2), default)).Should().BeNull("the lease still runs");
        var taken = await alive.ClaimNextAsync("host-2", Now.AddMinutes(1).AddSeconds(1), Now.AddMinutes(3), default);

        taken!.WorkerId.Should().Be("host-2");
        taken.Attempts.Should().Be(2);
        (await dead.HeartbeatAsync("job-1", "host-1", Now.AddMinutes(2), Now.AddMinutes(3), default)).LeaseHeld.Should().BeFalse();
    }

    [PostgresFact]
    public async Task ClaimNextAsync_FourHostsClaimingAtOnce_TakeTheSmallDomainsJobDespiteTheBigOnesQueue()
    {
        // 500 jobs of one domain queued first, then one of another: whichever hosts claim, the single job is among the
        // first claims, not after the 500.
        var jobs = Enumerable.Range(0, 500).Select(i => ($"big-{i}", "big")).Append(("small-0", "small")).ToList();
        var hosts = Enumerable.Range(0, 4).Select(_ => Host()).ToList();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, jobs);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = hosts.Select((store, n) => Task.Run(async () =>
        {
            await start.Task;
            return await store.ClaimNextAsync($"host-{n}", Now, Now.AddMinutes(5), default);
        })).ToList();
        start.SetResult();
        var claimed = await Task.WhenAll(claims);

        claimed.Select(j => j!.Domain).Should().Contain("small");
        claimed.Select(j => j!.Id).Should().OnlyHaveUniqueItems();
    }

    [PostgresFact]
    public async Task ClaimNextAsync_HostsTakingTurns_ServeTheDomainWithFewerRunningJobsFirst()
    {
        // Three domains; each host claims in turn and keeps its jobs running. Every domain gets its first job before
        // any gets a third, whichever host asks.
        var jobs = Enumerable.Range(0, 300).Select(i => ($"big-{i}", "big"))
            .Concat(Enumerable.Range(0, 300).Select(i => ($"medium-{i}", "medium")))
            .Append(("small-0", "small")).ToList();
        var hosts = Enumerable.Range(0, 4).Select(_ => Host()).ToList();
        await StoredJobRows.InsertQueuedAsync(_dataSources[0], _schema, jobs);

        var order = new List<string?>();
        for (var i = 0; i < 7; i++)
        {
            order.Add((await hosts[i % hosts.Count].ClaimNextAsync($"host-{i % hosts.Count}", Now, Now.AddMinutes(5), default))!.Domain);
        }

        order.Should().Equal("big", "medium", "small", "big", "medium", "big", "medium");
    }

    [PostgresFact]
    public async Task FirstUse_FourHostsStartingAtOnceOnAnEmptyDatabase_CreateTheSchemaOnce()
    {
        var hosts = Enumerable.Range(0, 4).Select(_ => Host()).ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCalls = hosts.Select(store => Task.Run(async () =>
        {
            await start.Task;
            return await store.ListAsync("acme", 0, 10, default);
        })).ToList();
        start.SetResult();

        var lists = await Task.WhenAll(firstCalls);

        lists.Should().OnlyContain(l => l.Count == 0);
        await using var command = _dataSources[0].CreateCommand($"SELECT array_agg(version ORDER BY version) FROM \"{_schema}\".schema_version");
        ((int[])(await command.ExecuteScalarAsync())!).Should().Equal(Enumerable.Range(1, PostgreSqlSchema.Version));
        await Host().CreateAsync(new StoredImportJob { Job = new ImportJobDto { Id = "after", Entity = "Customer", Domain = "acme", CreatedDate = Now, UpdatedAt = Now }, UploadFileId = "upload" }, default);
        (await hosts[0].ListAsync("acme", 0, 10, default)).Select(j => j.Id).Should().Equal("after");
    }

    [PostgresFact]
    public async Task FirstUse_SchemaOfANewerVersion_FailsNamingTheVersion()
    {
        await Host().GetAsync("none", default);
        await using (var command = _dataSources[0].CreateCommand($"INSERT INTO \"{_schema}\".schema_version VALUES ({PostgreSqlSchema.Version + 1})"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var act = async () => await Host().GetAsync("none", default);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage($"*schema version {PostgreSqlSchema.Version + 1}*Upgrade DataImport.PostgreSql*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("1jobs")]
    [InlineData("jobs; DROP TABLE x")]
    [InlineData("a\"b")]
    [InlineData("pg_jobs")]
    [InlineData("schema_name_that_is_much_longer_than_postgresql_keeps_in_an_identifier")]
    public void Constructor_InvalidSchemaName_Throws(string schema)
    {
        using var dataSource = NpgsqlDataSource.Create("Host=localhost");

        var act = () => new PostgreSqlImportJobStore(dataSource, schema);

        act.Should().Throw<ArgumentException>().WithMessage("*schema name*");
    }
}
