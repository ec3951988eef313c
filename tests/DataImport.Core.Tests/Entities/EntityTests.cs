using System.ComponentModel.DataAnnotations;

namespace DataImport.Tests.Entities;

public sealed class EntityTests
{
    public sealed class Product
    {
        [Key]
        public string? Sku { get; set; }

        [Required]
        [StringLength(10)]
        public string? Title { get; set; }

        [AllowedValues("S", "M", "L")]
        public string? Size { get; set; }

        public int Stock { get; set; }

        public object? Unsupported { get; set; }
    }

    [Fact]
    public void AddEntity_PocoWithDataAnnotations_ReadsKeyRequiredLengthAndAllowedValues()
    {
        var schema = TestEngine.Create(b => b.AddEntity<Product>()).FindEntity("product")!;

        schema.Name.Should().Be("Product");
        schema.Key.Select(k => k.Name).Should().Equal("Sku");
        schema.Properties.Select(p => p.Name).Should().Equal("Sku", "Title", "Size", "Stock");
        schema.FindProperty("title")!.Should().Match<EntityProperty>(p => p.Required && p.MaxLength == 10);
        schema.FindProperty("Size")!.AllowedValues.Should().Equal("S", "M", "L");
        schema.FindProperty("Stock")!.Type.Should().Be(PropertyType.Int);
    }

    [Fact]
    public void AddEntity_FluentKeyAndName_OverrideAttributes()
    {
        var schema = TestEngine.Create(b => b.AddEntity<Product>(e => e.Name("Item").Key(p => p.Title, p => p.Size))).FindEntity("Item")!;

        schema.Key.Select(k => k.Name).Should().Equal("Title", "Size");
    }

    [Fact]
    public void AddEntity_SameNameTwice_Throws()
    {
        var act = () => TestEngine.Create(b => b.AddEntity<Product>().AddEntity(new EntitySchemaBuilder("product").Property("X", PropertyType.String).Build()));

        act.Should().Throw<ArgumentException>().WithMessage("An entity named 'product' is already registered.");
    }

    [Fact]
    public void SchemaJson_SpecExample_LoadsEveryType()
    {
        var schema = EntitySchemaJson.Parse(TestEngine.CustomerSchemaJson).Single();

        schema.Key.Single().Name.Should().Be("Email");
        schema.Properties.Select(p => p.Type).Should().Equal(
            PropertyType.String, PropertyType.String, PropertyType.Decimal, PropertyType.Date, PropertyType.DateTime, PropertyType.Bool, PropertyType.Enum);
        schema.FindProperty("Tier")!.AllowedValues.Should().Equal("Gold", "Silver");
    }

    [Fact]
    public void SchemaJson_Invalid_ReportsEveryProblemWithItsLocation()
    {
        const string Json = """
            {"entities": [
              {"name": "A", "key": ["Missing"], "properties": [{"name": "X", "type": "money2"}, {"name": "E", "type": "enum"}]},
              {"properties": []}
            ]}
            """;

        var act = () => EntitySchemaJson.Parse(Json);

        act.Should().Throw<FormatException>().Which.Message.Should()
            .Contain("entities[0].properties[0] ('X'): unknown type 'money2'")
            .And.Contain("enum property 'E' needs a list of allowed values")
            .And.Contain("key property 'Missing' is not one of its properties")
            .And.Contain("entities[1]: \"name\" is required");
    }

    [Fact]
    public async Task Import_CustomValidatorOnPoco_MakesTheRowAnErrorWithItsMessage()
    {
        var engine = TestEngine.Create(b => b.AddEntity<Customer>(e => e.Key(c => c.Email).Validate(c => c.Balance is null or >= 0, nameof(Customer.Balance), "must not be negative")));
        using var file = new TempFile("Name,Email,Balance\nAda,a@x.com,-5\nBob,b@x.com,5\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<Customer>();

        var job = await engine.RunAsync(TestEngine.Csv(input), sink);

        job.Errors.Single().Should().Be(new ImportRowError { Row = 2, Column = 3, Property = "Balance", Code = ImportProblemCodes.Custom, Message = "must not be negative", Outcome = RowOutcome.Error });
        sink.Records.Single().Name.Should().Be("Bob");
    }

    [Fact]
    public async Task Import_CustomValidatorOnRunTimeEntity_IsApplied()
    {
        var engine = TestEngine.Create(b => b.AddEntitiesFromJson(TestEngine.CustomerSchemaJson)
            .AddValidator("customer", r => r["Email"] is string e && !e.Contains('@', StringComparison.Ordinal) ? [new ValidationProblem("Email", "is not an e-mail address")] : []));
        using var file = new TempFile("Name,Email\nAda,nope\n");
        await using var input = file.Open();

        var job = await engine.RunAsync(TestEngine.Csv(input), new InMemoryImportSink<ImportRecord>());

        job.Errors.Single().Message.Should().Be("is not an e-mail address");
    }

    [Fact]
    public async Task RunAsync_SinkOfWrongRecordType_IsRejected()
    {
        using var input = new MemoryStream("Name,Email\nA,a@x.com\n"u8.ToArray());

        var act = () => TestEngine.Dynamic().RunAsync(TestEngine.Csv(input), new InMemoryImportSink<Customer>());

        (await act.Should().ThrowAsync<ImportValidationException>()).Which.Message.Should().Contain("ImportSink<ImportRecord>");
    }

    [Fact]
    public void Start_SinkOfWrongRecordType_IsRejectedAtOnce()
    {
        using var input = new MemoryStream("Name,Email\nA,a@x.com\n"u8.ToArray());

        var act = () => TestEngine.Dynamic().Start(TestEngine.Csv(input), new InMemoryImportSink<Customer>());

        act.Should().Throw<ImportValidationException>().Which.Message.Should().Contain("ImportSink<ImportRecord>");
    }

    [Fact]
    public void ImportRecord_TryGetValueByProperty_ReadsWhatTheNameReads()
    {
        var schema = new EntitySchemaBuilder("Note").Property("Title", PropertyType.String).Property("Pages", PropertyType.Int).Property("Body", PropertyType.String).Build();
        var record = new ImportRecord(schema) { ["Title"] = "Hello", ["Pages"] = null };

        record.TryGetValue(schema.Properties[0], out var title).Should().BeTrue();
        title.Should().Be("Hello");
        record.TryGetValue(schema.Properties[1], out var pages).Should().BeTrue("a property set to null is present");
        pages.Should().BeNull();
        record.TryGetValue(schema.Properties[2], out _).Should().BeFalse("Body was never set");

        // A property of another schema is looked up by its name, not its position.
        var other = new EntitySchemaBuilder("Other").Property("Body", PropertyType.String).Property("Title", PropertyType.String).Build();
        record.TryGetValue(other.Properties[1], out var byName).Should().BeTrue();
        byName.Should().Be("Hello");
        record.TryGetValue(other.Properties[0], out _).Should().BeFalse();
    }

    [Fact]
    public void ImportRecord_PropertySetToNull_IsPresentEverywhere_AndAMergeCarriesIt()
    {
        var schema = new EntitySchemaBuilder("Note").Property("Title", PropertyType.String).Property("Pages", PropertyType.Int).Property("Body", PropertyType.String).Build();
        var record = new ImportRecord(schema) { ["Pages"] = null, ["Title"] = "Hello" };

        record.Count.Should().Be(2);
        record.Keys.Should().Equal("Title", "Pages");
        record.Values.Should().Equal(new object?[] { "Hello", null });
        record.Should().Equal(new Dictionary<string, object?> { ["Title"] = "Hello", ["Pages"] = null });
        record["Pages"].Should().BeNull();
        record["Body"].Should().BeNull("an absent property reads as null too");
        record.ContainsKey("Pages").Should().BeTrue();
        record.ContainsKey("Body").Should().BeFalse();

        var existing = new ImportRecord(schema) { ["Pages"] = 12, ["Body"] = "Text" };
        existing.MergeFrom(record);
        existing.Should().Equal(new Dictionary<string, object?> { ["Title"] = "Hello", ["Pages"] = null, ["Body"] = "Text" });
        existing.Clone().Should().Equal(existing);
    }

    [Fact]
    public async Task ImportRecord_FromAnImport_ReadsEveryTypeAsItsValue_AndKeepsWhatItBoxed()
    {
        // The engine sets numbers, dates and the like unboxed; reading boxes each once, as its property's type.
        var schema = new EntitySchemaBuilder("Row")
            .Property("Name", PropertyType.String).Property("Count", PropertyType.Int).Property("Big", PropertyType.Long)
            .Property("Price", PropertyType.Decimal).Property("Ratio", PropertyType.Double).Property("Active", PropertyType.Bool)
            .Property("Day", PropertyType.Date).Property("At", PropertyType.DateTime).Property("Time", PropertyType.Time)
            .Property("Id", PropertyType.Guid).Property("Size", PropertyType.Enum, allowedValues: ["S", "M"]).Property("Notes", PropertyType.String)
            .Build();
        var engine = TestEngine.Create(b => b.AddEntity(schema));
        var csv = "Name,Count,Big,Price,Ratio,Active,Day,At,Time,Id,Size,Notes\n"
            + "Ann,-7,9000000000,12.50,0.25,yes,2024-03-31,2024-03-31T14:30:00+02:00,14:30,3f2504e0-4f89-11d3-9a0c-0305e82c3301,M,\n";
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await engine.RunAsync(TestEngine.Csv(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), entity: "Row"), sink);

        job.CreatedCount.Should().Be(1);
        var record = sink.Records.Single();
        record.Should().Equal(new Dictionary<string, object?>
        {
            ["Name"] = "Ann", ["Count"] = -7, ["Big"] = 9_000_000_000L, ["Price"] = 12.50m, ["Ratio"] = 0.25, ["Active"] = true,
            ["Day"] = new DateOnly(2024, 3, 31), ["At"] = new DateTimeOffset(2024, 3, 31, 14, 30, 0, TimeSpan.FromHours(2)),
            ["Time"] = new TimeOnly(14, 30), ["Id"] = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), ["Size"] = "M", ["Notes"] = null,
        });
        record["Count"].Should().BeOfType<int>();
        record["Price"]!.ToString().Should().Be("12.50", "a decimal keeps the scale it was written with");
        record["Price"].Should().BeSameAs(record["Price"], "a value is boxed once, on its first read");
        record.TryGetValue(schema.Properties[6], out var day).Should().BeTrue();
        day.Should().BeSameAs(record["Day"]);
        record.Count.Should().Be(12);

        // A copy carries the values; setting one over an unboxed value replaces it.
        var copy = record.Clone();
        copy.Should().Equal(record);
        copy["Count"] = 8;
        copy["Count"].Should().Be(8);
        record["Count"].Should().Be(-7);
        var merged = new ImportRecord(schema) { ["Big"] = 1L };
        merged.MergeFrom(sink.Records.Single());
        merged["Big"].Should().Be(9_000_000_000L);
        merged["At"].Should().Be(new DateTimeOffset(2024, 3, 31, 14, 30, 0, TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task ImportKey_TheEnginesKeyOfOneValue_EqualsASinksKeyOfTheSameValue()
    {
        // The engine makes the keys of a keyed import; a sink makes its own from what it stores and matches them up.
        var sink = new KeyedLookupSink();
        var engine = TestEngine.Customers();
        var csv = "Name,Email,Balance\nAnn,ann@x.com,1\nBob,bob@x.com,2\n";

        var job = await engine.RunAsync(TestEngine.Csv(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), mapping: TestEngine.Map("Name", "Email", "Balance"), mode: ImportMode.CreateAndUpdate), sink);

        (job.CreatedCount, job.UpdatedCount).Should().Be((1, 1), "bob@x.com is found through a key the sink built itself");
        sink.Asked.Should().ContainSingle().Which.Should().HaveCount(2);
        var engines = sink.Asked[0].Single(k => (string)k[0]! == "bob@x.com");
        var sinks = new ImportKey("bob@x.com");
        engines.Should().Be(sinks);
        sinks.Should().Be(engines);
        engines.GetHashCode().Should().Be(sinks.GetHashCode());
        engines.Values.Should().Equal("bob@x.com");
        engines.ToString().Should().Be("bob@x.com");
        engines.Should().NotBe(new ImportKey("bob@x.com", 1));
    }

    private sealed class KeyedLookupSink : ImportSink<Customer>
    {
        private readonly HashSet<ImportKey> _stored = [new ImportKey("bob@x.com")];

        public List<IReadOnlyList<ImportKey>> Asked { get; } = [];

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
        {
            Asked.Add(keys);
            return ValueTask.FromResult<IReadOnlySet<ImportKey>>(keys.Where(_stored.Contains).ToHashSet());
        }

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

