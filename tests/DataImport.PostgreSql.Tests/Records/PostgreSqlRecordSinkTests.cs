namespace DataImport.PostgreSql.Tests.Records;

/// <summary>The sink driven directly, batch by batch, as the engine drives it: what lands in the table.</summary>
public sealed class PostgreSqlRecordSinkTests
{
    private static readonly EntitySchema Everything = new EntitySchemaBuilder("Everything")
        .Property("Code", PropertyType.String, required: true)
        .Property("Name", PropertyType.String, maxLength: 100)
        .Property("Amount", PropertyType.Decimal)
        .Property("Count", PropertyType.Int)
        .Property("Big", PropertyType.Long)
        .Property("Ratio", PropertyType.Double)
        .Property("Active", PropertyType.Bool)
        .Property("Born", PropertyType.Date)
        .Property("At", PropertyType.DateTime)
        .Property("Opens", PropertyType.Time)
        .Property("Ref", PropertyType.Guid)
        .Property("Tier", PropertyType.Enum, allowedValues: ["Gold", "Silver"])
        .Key("Code")
        .Build();

    [PostgresFact]
    public async Task WriteAsync_CreatesByCopy_LandWithTheirTypedValues()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, "acme");
        var at = new DateTimeOffset(2024, 3, 31, 22, 15, 30, 123, TimeSpan.Zero);
        var guid = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        var text = "She said \"hi\",\nthen 'bye'\ttab — ünïcödé 日本 🎉";

        await sink.WriteAsync(
            [
                Create(Everything, ("Code", "A"), ("Name", text), ("Amount", 12345678901234.5678m), ("Count", -7), ("Big", 9_000_000_000L), ("Ratio", 0.1),
                    ("Active", true), ("Born", new DateOnly(1815, 12, 10)), ("At", at), ("Opens", new TimeOnly(8, 30, 15)), ("Ref", guid), ("Tier", "Gold")),
                Create(Everything, ("Code", "B"), ("Name", null), ("Amount", null), ("Count", null), ("Big", null), ("Ratio", null),
                    ("Active", null), ("Born", null), ("At", null), ("Opens", null), ("Ref", null), ("Tier", null)),
            ],
            CancellationToken.None);

        var records = await db.AllAsync(Everything, "acme");
        records.Should().HaveCount(2);
        var a = records[0];
        (a["Code"], a["Name"], a["Amount"], a["Count"], a["Big"], a["Ratio"]).Should().Be(("A", text, 12345678901234.5678m, -7, 9_000_000_000L, 0.1));
        (a["Active"], a["Born"], a["At"], a["Opens"], a["Ref"], a["Tier"]).Should().Be((true, new DateOnly(1815, 12, 10), at, new TimeOnly(8, 30, 15), guid, "Gold"));
        records[1].Where(p => p.Key != "Code").Should().OnlyContain(p => p.Value == null);

        var types = await db.ScalarAsync<string>(
            $"SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '{db.Schema}' AND table_name = 'Everything'");
        types.Should().Be("_id bigint, _domain text, Code text, Name character varying, Amount numeric, Count integer, Big bigint, Ratio double precision, "
            + "Active boolean, Born date, At timestamp with time zone, Opens time without time zone, Ref uuid, Tier text");
    }

    /// <summary>
    /// The sink encodes COPY's binary format itself: edge values of each type land as PostgreSQL reads them, shown in
    /// the server's own text form (so a numeric keeps its scale, and the largest dates are infinity, as with Npgsql).
    /// </summary>
    [PostgresTheory]
    [InlineData("Amount", "0", "0")]
    [InlineData("Amount", "0.00", "0.00")]
    [InlineData("Amount", "-0.05", "-0.05")]
    [InlineData("Amount", "0.0001", "0.0001")]
    [InlineData("Amount", "12.5", "12.5")]
    [InlineData("Amount", "1.50", "1.50")]
    [InlineData("Amount", "10000", "10000")]
    [InlineData("Amount", "-100000000.000000001", "-100000000.000000001")]
    [InlineData("Amount", "18446744073709551615", "18446744073709551615")] // the largest 64-bit mantissa
    [InlineData("Amount", "18446744073709551616", "18446744073709551616")] // the smallest above it
    [InlineData("Amount", "1844674407370955161.5", "1844674407370955161.5")] // 64 bits, over them once aligned on groups
    [InlineData("Amount", "79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("Amount", "-7.9228162514264337593543950335", "-7.9228162514264337593543950335")]
    [InlineData("Count", "-2147483648", "-2147483648")]
    [InlineData("Big", "9223372036854775807", "9223372036854775807")]
    [InlineData("Ratio", "-1.5E-300", "-1.5e-300")]
    [InlineData("Born", "1999-12-31", "1999-12-31")]
    [InlineData("Born", "0001-01-02", "0001-01-02")]
    [InlineData("Born", "9999-12-31", "infinity")]
    [InlineData("At", "1970-01-01T00:00:00.0000019Z", "1970-01-01 00:00:00.000002")] // ticks dropped toward 2000, as Npgsql does
    [InlineData("At", "2024-01-01T00:00:00.0000019Z", "2024-01-01 00:00:00.000001")]
    [InlineData("At", "2099-06-30T23:59:59.999999Z", "2099-06-30 23:59:59.999999")]
    [InlineData("Opens", "23:59:59.9999999", "23:59:59.999999")]
    [InlineData("Ref", "00112233-4455-6677-8899-aabbccddeeff", "00112233-4455-6677-8899-aabbccddeeff")]
    [InlineData("Name", "ä€𝄞", "ä€𝄞")]
    public async Task WriteAsync_EdgeValues_LandAsPostgreSqlReadsThem(string property, string value, string stored)
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, "acme");
        var type = Everything.Properties.Single(p => p.Name == property).Type;
        object typed = type switch
        {
            PropertyType.Decimal => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Int => int.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Long => long.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Double => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Date => DateOnly.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.DateTime => DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Time => TimeOnly.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            PropertyType.Guid => Guid.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            _ => value,
        };

        await sink.WriteAsync([Create(Everything, ("Code", "A"), (property, typed))], CancellationToken.None);

        var column = property == "At" ? "(\"At\" AT TIME ZONE 'UTC')" : $"\"{property}\"";
        (await db.ScalarAsync<string>($"SELECT {column}::text FROM {db.Table(Everything)}")).Should().Be(stored);
    }

    [PostgresFact]
    public async Task WriteAsync_ValueTheColumnCannotHoldMidBatch_CancelsTheCopyAndTheNextBatchLands()
    {
        // A host's sink record with a value of another type: found while the COPY is half written, which is then
        // cancelled (nothing of the batch stays) and the connection goes back to the pool usable.
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, "acme");
        var batch = Enumerable.Range(0, 3000).Select(i => Create(Everything, ("Code", $"K{i}"), ("Count", i == 2500 ? (object)"many" : i))).ToList();

        var write = () => sink.WriteAsync(batch, CancellationToken.None).AsTask();

        await write.Should().ThrowAsync<FormatException>();
        (await db.AllAsync(Everything, "acme")).Should().BeEmpty();
        await sink.WriteAsync([Create(Everything, ("Code", "after"), ("Count", 1))], CancellationToken.None);
        (await db.AllAsync(Everything, "acme")).Select(r => r["Code"]).Should().Equal("after");
    }

    [PostgresFact]
    public async Task WriteAsync_Update_ChangesOnlyTheMappedColumns()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, null);
        await sink.WriteAsync([Create(Everything, ("Code", "A"), ("Name", "Ada"), ("Amount", 1m), ("Count", 1))], CancellationToken.None);

        await sink.WriteAsync([Update(Everything, ("Code", "A"), ("Amount", 2.5m), ("Count", null))], CancellationToken.None);

        var record = (await db.AllAsync(Everything)).Should().ContainSingle().Subject;
        (record["Name"], record["Amount"], record["Count"]).Should().Be(("Ada", 2.5m, (object?)null));
    }

    [PostgresFact]
    public async Task WriteAsync_UpdateOfEveryType_LandsTheTypedValues()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, null);
        await sink.WriteAsync([Create(Everything, ("Code", "A"), ("Name", "Ada")), Create(Everything, ("Code", "B"), ("Name", "Bob"), ("Count", 1))], CancellationToken.None);
        var at = new DateTimeOffset(2024, 2, 29, 23, 59, 59, 999, TimeSpan.FromHours(2));
        var guid = Guid.NewGuid();

        await sink.WriteAsync(
            [
                Update(Everything, ("Code", "A"), ("Name", "Zoë \"Z\"\n2"), ("Amount", -0.000001m), ("Count", int.MinValue), ("Big", long.MaxValue), ("Ratio", double.NaN),
                    ("Active", false), ("Born", DateOnly.MinValue), ("At", at), ("Opens", TimeOnly.MaxValue.Add(-TimeSpan.FromTicks(9))), ("Ref", guid), ("Tier", "Silver")),
                Update(Everything, ("Code", "B"), ("Name", null), ("Amount", null), ("Count", null), ("Big", null), ("Ratio", null),
                    ("Active", null), ("Born", null), ("At", null), ("Opens", null), ("Ref", null), ("Tier", null)),
            ],
            CancellationToken.None);

        var records = await db.AllAsync(Everything);
        var a = records[0];
        (a["Name"], a["Amount"], a["Count"], a["Big"], a["Ratio"]).Should().Be(("Zoë \"Z\"\n2", -0.000001m, int.MinValue, long.MaxValue, double.NaN));
        (a["Active"], a["Born"], a["At"], a["Opens"], a["Ref"], a["Tier"]).Should().Be((false, DateOnly.MinValue, at, new TimeOnly(23, 59, 59, 999, 999), guid, "Silver"));
        records[1].Where(p => p.Key != "Code").Should().OnlyContain(p => p.Value == null);
    }

    [PostgresFact]
    public async Task WriteAsync_CreateThenUpdatesOfTheSameKeyInOneBatch_LandsTheLastValues()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, null);
        await sink.WriteAsync([Create(Everything, ("Code", "OLD"), ("Name", "Old"), ("Count", 1))], CancellationToken.None);

        await sink.WriteAsync(
            [
                Create(Everything, ("Code", "A"), ("Name", "first"), ("Count", 1), ("Amount", 1m)),
                Update(Everything, ("Code", "OLD"), ("Count", 10)),
                Update(Everything, ("Code", "A"), ("Name", "second"), ("Count", 2)),
                Create(Everything, ("Code", "B"), ("Name", "bee"), ("Count", 5)),
                Update(Everything, ("Code", "A"), ("Count", 3)),
                Update(Everything, ("Code", "OLD"), ("Name", "Older")),
            ],
            CancellationToken.None);

        var records = await db.AllAsync(Everything);
        records.Select(r => (r["Code"], r["Name"], r["Count"], r["Amount"])).Should().Equal(
            ("OLD", "Older", 10, null),
            ("A", "second", 3, 1m),
            ("B", "bee", 5, null));
    }

    [PostgresFact]
    public async Task WriteAsync_UpdateThatFindsNoRecord_ThrowsAndWritesNothingOfTheBatch()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, null);

        var write = () => sink.WriteAsync([Create(Everything, ("Code", "A"), ("Name", "Ada")), Update(Everything, ("Code", "GONE"), ("Name", "x"))], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<ImportRowRejectedException>()).WithMessage("the record to update no longer exists*");
        (await db.AllAsync(Everything)).Should().BeEmpty();
    }

    [PostgresFact]
    public async Task WriteAsync_TextWithANulCharacter_IsRejectedNamingTheProperty()
    {
        // CSV files with NUL are refused as binary before any sink; other sources (an XLSX cell, a host's records) can hold one.
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, null);

        var write = () => sink.WriteAsync([Create(Everything, ("Code", "A"), ("Name", "B\0B"))], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<ImportRowRejectedException>()).WithMessage("Name: the text holds a NUL character (U+0000), which PostgreSQL cannot store");
    }

    [PostgresFact]
    public async Task WriteAsync_CreateOfAKeyAnotherWriterAddedMeanwhile_IsRejectedAndTheBatchRolledBack()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(Everything, "acme");
        await db.Store.CreateSink(Everything, "acme").WriteAsync([Create(Everything, ("Code", "A"), ("Name", "theirs"))], CancellationToken.None);

        var write = () => sink.WriteAsync([Create(Everything, ("Code", "B"), ("Name", "mine")), Create(Everything, ("Code", "A"), ("Name", "mine"))], CancellationToken.None).AsTask();

        (await write.Should().ThrowAsync<ImportRowRejectedException>()).WithMessage("a record with this Code already exists");
        (await db.AllAsync(Everything, "acme")).Select(r => (r["Code"], r["Name"])).Should().Equal(("A", "theirs"));
    }

    [PostgresFact]
    public async Task FindExistingAsync_ReturnsTheKeysOfThisDomainOnly()
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.Store.CreateSink(Everything, "acme").WriteAsync([Create(Everything, ("Code", "A")), Create(Everything, ("Code", "B"))], CancellationToken.None);
        await db.Store.CreateSink(Everything, "other").WriteAsync([Create(Everything, ("Code", "C"))], CancellationToken.None);

        var found = await db.Store.CreateSink(Everything, "acme").FindExistingAsync([new ImportKey("A"), new ImportKey("C"), new ImportKey("a")], CancellationToken.None);

        found.Should().BeEquivalentTo([new ImportKey("A")]);
    }

    /// <summary>
    /// A first import into a new table outruns autovacuum: its statistics say the domain holds a handful of rows while
    /// it holds thousands. The key lookup must still probe the primary key for each key rather than read every row of
    /// the domain through another index (what it did: a 1M-row keyed import took 72 s instead of 5).
    /// </summary>
    [PostgresFact]
    public async Task FindExistingAsync_StatisticsTakenWhenTheTableWasSmall_ProbesThePrimaryKey()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var sink = (PostgreSqlRecordSink)db.Store.CreateSink(Everything, "acme");
        await sink.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Create(Everything, ("Code", $"K{i}")))], CancellationToken.None);
        await db.ExecuteAsync($"ANALYZE {db.Table(Everything)}");
        await sink.WriteAsync([.. Enumerable.Range(5, 30_000).Select(i => Create(Everything, ("Code", $"K{i}")))], CancellationToken.None);
        ImportKey[] keys = [.. Enumerable.Range(0, 1000).Select(i => new ImportKey($"K{i * 37}"))];

        using var command = sink.FindCommand(keys);
        command.CommandText = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join("\n", plan.Select(line => line.Length > 120 ? line[..120] + "…" : line));
        text.Should().Contain("Scan using \"Everything_pkey\"", "each key is one probe of the primary key (_domain, Code):\n" + text);
        text.Should().NotContain("_id", "no other index is read:\n" + text);
        (await sink.FindExistingAsync(keys, CancellationToken.None)).Should().HaveCount(keys.Count(k => int.Parse(((string)k[0]!)[1..], System.Globalization.CultureInfo.InvariantCulture) < 30_005));
    }

    [PostgresFact]
    public async Task CompositeKey_FindsAndUpdatesByAllKeyColumns()
    {
        var price = new EntitySchemaBuilder("Price")
            .Property("Country", PropertyType.String, required: true).Property("Sku", PropertyType.Long, required: true).Property("Valid", PropertyType.Date, required: true)
            .Property("Amount", PropertyType.Decimal)
            .Key("Country", "Sku", "Valid").Build();
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(price, null);
        var day = new DateOnly(2024, 1, 1);
        await sink.WriteAsync(
            [Create(price, ("Country", "FR"), ("Sku", 1L), ("Valid", day), ("Amount", 1m)), Create(price, ("Country", "DE"), ("Sku", 1L), ("Valid", day), ("Amount", 2m))],
            CancellationToken.None);

        var found = await sink.FindExistingAsync([new ImportKey("FR", 1L, day), new ImportKey("FR", 2L, day), new ImportKey("DE", 1L, day.AddDays(1))], CancellationToken.None);
        await sink.WriteAsync([Update(price, ("Country", "DE"), ("Sku", 1L), ("Valid", day), ("Amount", 20m))], CancellationToken.None);

        found.Should().BeEquivalentTo([new ImportKey("FR", 1L, day)]);
        (await db.AllAsync(price)).Select(r => (r["Country"], r["Amount"])).Should().Equal(("FR", 1m), ("DE", 20m));
    }

    [PostgresFact]
    public async Task FindExistingAsync_TimeKeysFinerThanAMicrosecond_FindTheRecordPostgreSqlStored()
    {
        var reading = new EntitySchemaBuilder("Reading")
            .Property("Sensor", PropertyType.String).Property("At", PropertyType.DateTime).Property("Shift", PropertyType.Time).Property("Value", PropertyType.Double)
            .Key("Sensor", "At", "Shift").Build();
        await using var db = await RecordDatabase.CreateAsync();
        var sink = db.Store.CreateSink(reading, null);
        var at = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var before2000 = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999);
        var shift = new TimeOnly(6, 0).Add(TimeSpan.FromTicks(5));
        await sink.WriteAsync(
            [Create(reading, ("Sensor", "s1"), ("At", at), ("Shift", shift), ("Value", 1.0)), Create(reading, ("Sensor", "s1"), ("At", before2000), ("Shift", shift), ("Value", 2.0))],
            CancellationToken.None);

        var key = new ImportKey("s1", at, shift);
        var found = await sink.FindExistingAsync([key, new ImportKey("s1", before2000, shift), new ImportKey("s1", at.AddMilliseconds(1), shift)], CancellationToken.None);
        await sink.WriteAsync([Update(reading, ("Sensor", "s1"), ("At", at), ("Shift", shift), ("Value", 3.0))], CancellationToken.None);

        found.Should().BeEquivalentTo([key, new ImportKey("s1", before2000, shift)]);
        found.Should().Contain(k => ReferenceEquals(k, key), "the caller's own key instance comes back");
        (await db.AllAsync(reading)).Select(r => r["Value"]).Should().Equal(3.0, 2.0);
    }

    [PostgresFact]
    public async Task ListAsync_PagesInWriteOrder_WithTheDomainsTotal()
    {
        await using var db = await RecordDatabase.CreateAsync();
        await db.Store.CreateSink(Everything, "acme").WriteAsync([.. Enumerable.Range(1, 7).Select(i => Create(Everything, ("Code", $"C{i}")))], CancellationToken.None);
        await db.Store.CreateSink(Everything, "other").WriteAsync([Create(Everything, ("Code", "X"))], CancellationToken.None);

        var second = await db.Store.ListAsync(Everything, "acme", offset: 3, limit: 3, CancellationToken.None);
        var past = await db.Store.ListAsync(Everything, "acme", offset: 30, limit: 3, CancellationToken.None);
        var none = await db.Store.ListAsync(Everything, "nobody", offset: 0, limit: 3, CancellationToken.None);

        second.Total.Should().Be(7);
        second.Records.Select(r => r["Code"]).Should().Equal("C4", "C5", "C6");
        (past.Total, past.Records.Count).Should().Be((7L, 0));
        (none.Total, none.Records.Count).Should().Be((0L, 0));
    }

    [PostgresFact]
    public async Task CreateSink_NamesPostgreSqlCannotHold_ThrowsListingEveryProblem()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var entity = new EntitySchemaBuilder(new string('E', 64)).Property("_domain", PropertyType.String).Property(new string('é', 32), PropertyType.Int).Build();

        var create = () => db.Store.CreateSink(entity, null);

        create.Should().Throw<ArgumentException>()
            .WithMessage("*The entity name 'EEE*' is 64 bytes long in UTF-8; PostgreSQL names hold at most 63.*")
            .WithMessage("*._domain' is named like a column the PostgreSQL record sink keeps for itself*")
            .WithMessage("*The property name 'ééé*' is 64 bytes long*");
    }

    [PostgresFact]
    public async Task EnsureTable_PropertyAddedToTheSchemaLater_GetsItsColumn()
    {
        await using var db = await RecordDatabase.CreateAsync();
        var v1 = new EntitySchemaBuilder("Grows").Property("Code", PropertyType.String).Key("Code").Build();
        var v2 = new EntitySchemaBuilder("Grows").Property("Code", PropertyType.String).Property("Note", PropertyType.String).Key("Code").Build();
        await db.Store.CreateSink(v1, null).WriteAsync([Create(v1, ("Code", "A"))], CancellationToken.None);

        await db.Store.CreateSink(v2, null).WriteAsync([Create(v2, ("Code", "B"), ("Note", "new"))], CancellationToken.None);

        (await db.AllAsync(v2)).Select(r => (r["Code"], r["Note"])).Should().Equal(("A", null), ("B", "new"));
    }

    internal static ImportWrite<ImportRecord> Create(EntitySchema entity, params (string Name, object? Value)[] values) => Write(ImportWriteKind.Create, entity, values);

    internal static ImportWrite<ImportRecord> Update(EntitySchema entity, params (string Name, object? Value)[] values) => Write(ImportWriteKind.Update, entity, values);

    private static ImportWrite<ImportRecord> Write(ImportWriteKind kind, EntitySchema entity, (string Name, object? Value)[] values)
    {
        var record = new ImportRecord(entity);
        foreach (var (name, value) in values)
        {
            record[name] = value;
        }

        return new ImportWrite<ImportRecord>
        {
            Kind = kind,
            Record = record,
            Key = entity.HasKey ? new ImportKey([.. entity.Key.Select(k => record[k.Name])]) : null,
            Row = 2,
            MappedProperties = [.. values.Select(v => v.Name)],
        };
    }
}
