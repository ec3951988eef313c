namespace DataImport.Tests.Sinks;

public sealed class InMemoryImportSinkTests
{
    private static ImportWrite<Customer> Write(ImportWriteKind kind, string email, string? name, decimal? balance = null) => new()
    {
        Kind = kind,
        Record = new Customer { Email = email, Name = name, Balance = balance },
        Key = new ImportKey(email),
        Row = 2,
        MappedProperties = ["Email", "Name"],
    };

    [Fact]
    public async Task WriteAsync_Update_CopiesOnlyTheMappedPropertiesOntoTheStoredRecord()
    {
        var sink = new InMemoryImportSink<Customer>();
        sink.Seed(new Customer { Email = "a@x.com", Name = "Old", Balance = 7m }, new ImportKey("a@x.com"));

        await sink.WriteAsync([Write(ImportWriteKind.Update, "a@x.com", "New", balance: 99m)], default);

        var stored = sink.Find(new ImportKey("a@x.com"))!;
        (stored.Name, stored.Balance).Should().Be(("New", 7m), "Balance is not mapped, so the update leaves it");
        sink.BatchesWritten.Should().Be(1);
    }

    [Fact]
    public async Task WriteAsync_ConstraintFailsOneRecord_NothingOfTheBatchLands()
    {
        var sink = new InMemoryImportSink<Customer>().AddConstraint(c => c.Name == "bad" ? "name refused" : null);

        var act = async () => await sink.WriteAsync([Write(ImportWriteKind.Create, "a@x.com", "ok"), Write(ImportWriteKind.Create, "b@x.com", "bad")], default);

        (await act.Should().ThrowAsync<ImportRowRejectedException>()).WithMessage("name refused");
        sink.Records.Should().BeEmpty();
        sink.BatchesWritten.Should().Be(0);
    }

    [Fact]
    public async Task WriteAsync_CreateOfAnExistingKey_IsRefusedLikeAUniqueConstraint()
    {
        var sink = new InMemoryImportSink<Customer>();
        sink.Seed(new Customer { Email = "a@x.com", Name = "Old" }, new ImportKey("a@x.com"));

        var act = async () => await sink.WriteAsync([Write(ImportWriteKind.Create, "a@x.com", "Again")], default);

        await act.Should().ThrowAsync<ImportRowRejectedException>().WithMessage("*already exists*");
        sink.Find(new ImportKey("a@x.com"))!.Name.Should().Be("Old");
    }
}
