using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.EntityFrameworkCore.Tests.Sinks;

/// <summary>Imports through <c>AddDataImport()</c> into a real SQLite file and a real PostgreSQL schema, checked row by row.</summary>
public sealed class EntityFrameworkSinkTests
{
    private const string ClientHeader = "Name,Email,Code,Balance,Born\n";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_CreateAndUpdate_InsertsNewRowsAndUpdatesExistingOnes(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database, new Client { Email = "ada@x.com", Name = "Old Ada", Code = "A1", Balance = 1m, Notes = "vip" });
        await using var services = ShopImport.Services(database);

        var (job, notImported) = await ShopImport.RunAsync(services, "Client", ClientHeader
            + "Ada Lovelace,ada@x.com,A1,10.50,1815-12-10\n"
            + "Bob,bob@x.com,B1,20,\n"
            + ",nameless@x.com,N1,1,\n"
            + "Cy,cy@x.com,C1,not-a-number,\n"
            + "Dee,dee@x.com,,3.25,2001-02-03\n", ImportMode.CreateAndUpdate);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should().Be((2, 1, 1, 1));
        var clients = await ShopImport.ClientsAsync(database);
        clients.Select(c => (c.Email, c.Name, c.Code, c.Balance, c.Born, c.Notes)).Should().Equal(
            ("ada@x.com", "Ada Lovelace", "A1", 10.50m, new DateOnly(1815, 12, 10), "vip"),
            ("bob@x.com", "Bob", "B1", 20m, null, null),
            ("dee@x.com", "Dee", null, 3.25m, new DateOnly(2001, 2, 3), null));
        notImported.Should().Contain(",nameless@x.com,N1,1,,4,").And.Contain("Cy,cy@x.com,C1,not-a-number,,5,");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_CreateOnly_SkipsExistingKeysAndLeavesThemAsTheyWere(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database, new Client { Email = "ada@x.com", Name = "Old Ada", Balance = 1m });
        await using var services = ShopImport.Services(database, factory: true);

        var (job, _) = await ShopImport.RunAsync(services, "Client", ClientHeader + "Ada,ada@x.com,,5,\nBob,bob@x.com,,6,\n", ImportMode.CreateOnly);

        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should().Be((1, 0, 1, 0));
        job.Errors.Single().Message.Should().Contain("Email = ada@x.com");
        var clients = await ShopImport.ClientsAsync(database);
        clients.Select(c => (c.Email, c.Name, c.Balance)).Should().Equal(("ada@x.com", "Old Ada", 1m), ("bob@x.com", "Bob", 6m));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_UpdateOnly_UpdatesMatchesAndSkipsTheRest(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database,
            new Client { Email = "ada@x.com", Name = "Old Ada", Balance = 1m },
            new Client { Email = "bob@x.com", Name = "Old Bob", Balance = 2m });
        await using var services = ShopImport.Services(database);

        var (job, _) = await ShopImport.RunAsync(services, "Client", ClientHeader + "Ada,ada@x.com,,5,\nCy,cy@x.com,,6,\nBob,bob@x.com,,7,\n", ImportMode.UpdateOnly);

        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount).Should().Be((0, 2, 1, 0));
        var clients = await ShopImport.ClientsAsync(database);
        clients.Select(c => (c.Email, c.Name, c.Balance)).Should().Equal(("ada@x.com", "Ada", 5m), ("bob@x.com", "Bob", 7m));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_UpdateOfSomeColumns_ChangesOnlyTheColumnsTheFileMaps(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database, new Client { Email = "ada@x.com", Name = "Ada", Code = "A1", Balance = 1m, Born = new DateOnly(1815, 12, 10), Notes = "vip" });
        await using var services = ShopImport.Services(database);

        // Only Email and Balance are in the file: Name, Code, Born and Notes keep their values (not the record's defaults).
        var (job, _) = await ShopImport.RunAsync(services, "Client", "Email,Balance\nada@x.com,99.99\n", ImportMode.UpdateOnly);

        job.UpdatedCount.Should().Be(1, job.Message);
        var ada = (await ShopImport.ClientsAsync(database)).Single();
        (ada.Name, ada.Code, ada.Balance, ada.Born, ada.Notes).Should().Be(("Ada", "A1", 99.99m, new DateOnly(1815, 12, 10), "vip"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_CreateThenUpdatesOfOneKeyInOneBatch_WritesOneRecordWithTheLastValues(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = ShopImport.Services(database);

        var (job, _) = await ShopImport.RunAsync(services, "Client", ClientHeader
            + "Ada,ada@x.com,A1,1,\nBob,bob@x.com,,2,\nAda 2,ada@x.com,A1,3,\nAda 3,ada@x.com,A1,4,\n", ImportMode.CreateAndUpdate);

        (job.CreatedCount, job.UpdatedCount, job.ErrorCount).Should().Be((2, 2, 0), job.Message);
        var clients = await ShopImport.ClientsAsync(database);
        clients.Select(c => (c.Email, c.Name, c.Code, c.Balance)).Should().Equal(("ada@x.com", "Ada 3", "A1", 4m), ("bob@x.com", "Bob", null, 2m));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_UniqueConstraintViolation_IsAnErrorOnItsRowOnlyAndTheOthersLand(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database, new Client { Email = "old@x.com", Name = "Old", Code = "OLD" });
        await using var services = ShopImport.Services(database);

        // Row 4 repeats row 2's Code in the file; row 6 repeats a Code already in the database.
        var (job, notImported) = await ShopImport.RunAsync(services, "Client", ClientHeader
            + "Ada,ada@x.com,A1,,\nBob,bob@x.com,B1,,\nCy,cy@x.com,A1,,\nDee,dee@x.com,D1,,\nEve,eve@x.com,OLD,,\nFay,fay@x.com,F1,,\n", ImportMode.CreateOnly);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.ErrorCount).Should().Be((4, 2));
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(
            (4, "not saved: a record with the same Code already exists"),
            (6, "not saved: a record with the same Code already exists"));
        var clients = await ShopImport.ClientsAsync(database);
        clients.Select(c => c.Email).Should().Equal("ada@x.com", "bob@x.com", "dee@x.com", "fay@x.com", "old@x.com");
        notImported.Should().Contain("Cy,cy@x.com,A1,,,4,not saved: a record with the same Code already exists");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_CompositeKey_MatchesOnEveryKeyColumn(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ShopImport.SeedAsync(database,
            new Stock { Region = "North", Number = 1, Quantity = 10, Label = "kept" },
            new Stock { Region = "South", Number = 2, Quantity = 20 });
        await using var services = ShopImport.Services(database);

        // North/2 and South/1 share a part with an existing key each, but are new.
        var (job, _) = await ShopImport.RunAsync(services, "Stock",
            "Region,Number,Quantity\nNorth,1,11\nNorth,2,12\nSouth,1,21\nSouth,2,22\n", ImportMode.CreateAndUpdate);

        (job.CreatedCount, job.UpdatedCount, job.ErrorCount).Should().Be((2, 2, 0), job.Message);
        await using var context = database.NewContext();
        var stocks = await context.Stocks.AsNoTracking().OrderBy(s => s.Region).ThenBy(s => s.Number).ToListAsync();
        stocks.Select(s => (s.Region, s.Number, s.Quantity, s.Label)).Should().Equal(
            ("North", 1, 11, "kept"), ("North", 2, 12, null), ("South", 1, 21, null), ("South", 2, 22, null));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_CompositeKeysOverSeveralLookupChunks_FindsEveryExistingKey(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        // 1,300 keys in one batch: three lookup queries (500 keys each at most) with a padded last one.
        await ShopImport.SeedAsync(database, [.. Enumerable.Range(0, 650).Select(i => new Stock { Region = $"R{i % 7}", Number = i, Quantity = 0 })]);
        await using var services = ShopImport.Services(database);
        var csv = "Region,Number,Quantity\n" + string.Concat(Enumerable.Range(0, 1300).Select(i => $"R{i % 7},{i},{i}\n"));

        var (job, _) = await ShopImport.RunAsync(services, "Stock", csv, ImportMode.CreateAndUpdate, batchSize: 2000);

        (job.CreatedCount, job.UpdatedCount, job.ErrorCount).Should().Be((650, 650, 0), job.Message);
        await using var context = database.NewContext();
        (await context.Stocks.CountAsync()).Should().Be(1300);
        (await context.Stocks.CountAsync(s => s.Quantity == s.Number)).Should().Be(1300);
    }

    [Fact]
    public async Task Import_KeyPropertyNotMappedInTheContext_FailsNamingTheProperty()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var services = ShopImport.Services(database, configure: b => b
            .AddEntity<Ticket>(e => e.Key(t => t.Reference))
            .AddEntityFrameworkSink<ShopContext, Ticket>());

        var run = () => ShopImport.RunAsync(services, "Ticket", "Title,Reference\nHello,T-1\n", ImportMode.CreateAndUpdate);

        (await run.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be(
            "Entity 'Ticket': the key property Reference is not a mapped property of Ticket in ShopContext. The DataImport key (e.Key(...) or [Key]) must be columns of the table, so existing records can be found by it.");
    }

    [Fact]
    public async Task Import_EntityNotInTheContext_FailsNamingTheEntityType()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var services = ShopImport.Services(database, configure: b => b
            .AddEntity<Unmapped>(e => e.Key(u => u.Code))
            .AddEntityFrameworkSink<ShopContext, Unmapped>());

        var run = () => ShopImport.RunAsync(services, "Unmapped", "Code\nX\n", ImportMode.CreateOnly);

        (await run.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().StartWith("Unmapped is not an entity type of ShopContext");
    }

    public sealed class Unmapped
    {
        public string Code { get; set; } = "";
    }
}
