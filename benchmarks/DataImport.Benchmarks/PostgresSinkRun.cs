using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DataImport.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace DataImport.Benchmarks;

/// <summary>
/// The PostgreSQL record sink against the two ways a developer would load the same file by hand: the sales CSV
/// (1M rows by default) from disk into the same table (the one the sink makes for the run-time entity <c>SalesSchema</c>:
/// <c>_id</c> identity, <c>_domain</c>, 14 typed columns, primary key <c>(_domain, _id)</c>), emptied before each run.
/// <list type="bullet">
/// <item>Engine + sink: <c>ImportEngine.RunAsync</c> of <c>SalesSchema</c> (no key, CreateOnly) with the sink
/// <c>AddPostgreSqlRecordSink</c> registers: a COPY per batch (1,000 rows by default, then 10,000 and 50,000). Another
/// row imports <c>SalesSchemaKeyed</c> (key Order ID, CreateAndUpdate: a key lookup per batch and the primary key on
/// <c>(_domain, Order ID)</c>) into its own table.</item>
/// <item>Hand-written COPY (the floor): Sylvan reads and parses the file (as the CSV benchmarks' hand-written baseline)
/// and Npgsql's typed binary importer writes every row, in one statement and one transaction; then the same cut into
/// one statement per 1,000 and per 10,000 rows.</item>
/// <item>EF Core: the same parsed rows, <c>AddRange</c> and <c>SaveChangesAsync</c> per 1,000 rows with a new
/// <c>DbContext</c> each time (Npgsql.EntityFrameworkCore.PostgreSQL batches the inserts).</item>
/// </list>
/// </summary>
public static class PostgresSinkRun
{
    private const string Schema = "dataimport_bench";
    private const string Variable = "DATAIMPORT_TEST_POSTGRES";

    private const string Columns = "\"Region\", \"Country\", \"Item Type\", \"Sales Channel\", \"Order Priority\", \"Order Date\", \"Order ID\", \"Ship Date\", "
        + "\"Units Sold\", \"Unit Price\", \"Unit Cost\", \"Total Revenue\", \"Total Cost\", \"Total Profit\"";

    private const string Table = Schema + ".\"" + Engines.SalesSchema + "\"";

    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = Option(args, "--connection") ?? Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine($"Give a PostgreSQL connection string with --connection \"Host=…;Username=…;Database=…\" or in {Variable}.");
            return 2;
        }

        var rows = int.Parse(Option(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        var efRows = int.Parse(Option(args, "--ef-rows") ?? "100000", CultureInfo.InvariantCulture);
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        int? degree = Option(args, "--degree") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : null;
        var only = Option(args, "--only");
        var path = DataFiles.SalesCsv(rows);
        var efPath = DataFiles.SalesCsv(efRows);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(dataSource, $"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        try
        {
            await new PostgreSqlRecordStore(dataSource, new PostgreSqlRecordSinkOptions { Schema = Schema })
                .EnsureTableAsync(Engines.SalesSchemaFor(Engines.SalesSchema, keyed: false), default);
            Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}, {await ServerVersionAsync(dataSource)}");
            Console.WriteLine($"Sales CSV, {rows:N0} rows ({efRows:N0} for EF Core), {runs} rounds after 1 warm-up round, each method once per round in turn; median run");
            Console.WriteLine();
            Console.WriteLine("| Method | Rows | Median s | Client CPU s | Server CPU s | Rows/s | vs hand-written COPY | vs EF Core |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

            var methods = new List<Method>
            {
                new("Hand-written binary COPY (one statement)", rows, Table, () => HandWrittenCopyAsync(dataSource, path, int.MaxValue)),
            };
            if (only is null)
            {
                methods.Add(new("EF Core AddRange + SaveChanges per 1,000", efRows, Table, () => EfCoreAsync(dataSource, efPath)));

                // The same COPY cut into one statement per batch: what batching itself costs, whoever batches.
                foreach (var perStatement in new[] { 1000, 10_000 })
                {
                    methods.Add(new($"Hand-written binary COPY, one statement per {perStatement:N0} rows", rows, Table, () => HandWrittenCopyAsync(dataSource, path, perStatement)));
                }
            }

            var providers = new List<ServiceProvider>();
            foreach (var (name, keyed, batch) in new[] { ("Engine + PostgreSQL sink, no key, batch 1,000", false, 1000), ("Engine + PostgreSQL sink, no key, batch 10,000", false, 10_000), ("Engine + PostgreSQL sink, no key, batch 50,000", false, 50_000), ("Engine + PostgreSQL sink, key Order ID (CreateAndUpdate), batch 1,000", true, 1000) })
            {
                if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                {
                    continue;
                }

                var entity = Engines.SalesSchemaFor(keyed ? Engines.SalesSchemaKeyed : Engines.SalesSchema, keyed);
                var services = new ServiceCollection();
                services.AddDataImport(o =>
                {
                    o.BatchSize = batch;
                    o.MaxDegreeOfParallelism = degree ?? o.MaxDegreeOfParallelism;
                    o.ReadAhead = Option(args, "--read-ahead") != "false";
                }).AddEntity(entity).AddPostgreSqlRecordSink(dataSource, o => o.Schema = Schema);
                var provider = services.BuildServiceProvider();
                providers.Add(provider);
                var engine = provider.GetRequiredService<ImportEngine>();
                await provider.GetRequiredService<PostgreSqlRecordStore>().EnsureTableAsync(entity, default);
                methods.Add(new(name, rows, $"{Schema}.\"{entity.Name}\"", () => EngineAsync(engine, entity.Name, path, keyed, rows)));
            }

            // The engine alone (no database): what reading, converting and batching cost, for the record.
            var noOp = Engines.Create();
            methods.Add(new("Engine + no-op sink (no database)", rows, null, () => Engines.ImportAsync<ImportRecord>(noOp, Engines.SalesSchema, path, ImportMode.CreateOnly, rows)));

            try
            {
                await MeasureAsync(runs, methods, dataSource);
            }
            finally
            {
                foreach (var provider in providers)
                {
                    await provider.DisposeAsync();
                }
            }

            var copyRate = rows / methods[0].Median.Seconds;
            var efRate = methods.Find(m => m.Name.StartsWith("EF Core", StringComparison.Ordinal)) is { } ef ? efRows / ef.Median.Seconds : double.NaN;
            foreach (var method in methods)
            {
                var rate = method.Rows / method.Median.Seconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {method.Name} | {method.Rows:N0} | {method.Median.Seconds:F2} | {method.Median.Cpu:F2} | {method.Median.ServerCpu:F2} | {rate:N0} | {rate / copyRate:F2}× | {rate / efRate:F1}× |"));
            }
        }
        finally
        {
            await ExecuteAsync(dataSource, $"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }

        return 0;
    }

    /// <summary>
    /// Runs every method once per round, in turn (a warm-up round first), so a drift in the machine's speed (the second
    /// core's varies on the benchmark machine) falls on every method alike; then takes each method's median wall time
    /// and median processor time of this process (all its threads; not the server's).
    /// </summary>
    private static async Task MeasureAsync(int runs, List<Method> methods, NpgsqlDataSource dataSource)
    {
        for (var round = -1; round < runs; round++)
        {
            foreach (var method in methods)
            {
                if (method.Table is not null)
                {
                    await ExecuteAsync(dataSource, $"TRUNCATE {method.Table}");
                }

                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var server0 = ServerCpuSeconds();
                var watch = Stopwatch.StartNew();
                await method.Run();
                var seconds = watch.Elapsed.TotalSeconds;
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                var server = ServerCpuSeconds() - server0;
                var landed = method.Table is null ? method.Rows : await ScalarAsync(dataSource, $"SELECT count(*) FROM {method.Table}");
                if (landed != method.Rows)
                {
                    throw new InvalidOperationException($"{method.Table} holds {landed} rows after the run instead of {method.Rows}.");
                }

                if (round >= 0)
                {
                    method.Times.Add(seconds);
                    method.Cpus.Add(cpu);
                    method.ServerCpus.Add(server);
                }
            }
        }
    }

    /// <summary>One row of the table: what it runs, the table it fills (emptied before each run), and its timings.</summary>
    private sealed class Method(string name, int rows, string? table, Func<Task> run)
    {
        public string Name { get; } = name;

        public int Rows { get; } = rows;

        public string? Table { get; } = table;

        public Func<Task> Run { get; } = run;

        public List<double> Times { get; } = [];

        public List<double> Cpus { get; } = [];

        public List<double> ServerCpus { get; } = [];

        public (double Seconds, double Cpu, double ServerCpu) Median =>
            (Times.Order().ElementAt(Times.Count / 2), Cpus.Order().ElementAt(Cpus.Count / 2), ServerCpus.Order().ElementAt(ServerCpus.Count / 2));
    }

    private static async Task EngineAsync(ImportEngine engine, string entity, string path, bool keyed, int rows)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var job = await engine.RunAsync(new ImportRequest
        {
            Entity = entity, FileType = "csv", File = file, Delimiter = ',', Mode = keyed ? ImportMode.CreateAndUpdate : ImportMode.CreateOnly,
        });
        if (job.Status != ImportJobStatus.Completed || job.CreatedCount != rows)
        {
            throw new InvalidOperationException($"The import did not complete as expected: {job.Status}, {job.CreatedCount} created: {job.Message} {string.Join("; ", job.Errors.Take(3).Select(e => e.Message))}");
        }
    }

    private static async Task HandWrittenCopyAsync(NpgsqlDataSource dataSource, string path, int rowsPerStatement)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var copy = $"COPY {Table} (_domain, {Columns}) FROM STDIN (FORMAT BINARY)";
        var importer = await connection.BeginBinaryImportAsync(copy);
        var inStatement = 0;
        foreach (var r in ReadSales(path))
        {
            if (inStatement == rowsPerStatement)
            {
                await importer.CompleteAsync();
                await importer.DisposeAsync();
                importer = await connection.BeginBinaryImportAsync(copy);
                inStatement = 0;
            }

            inStatement++;
            await importer.StartRowAsync();
            await importer.WriteAsync(string.Empty, NpgsqlDbType.Text);
            await importer.WriteAsync(r.Region, NpgsqlDbType.Text);
            await importer.WriteAsync(r.Country, NpgsqlDbType.Text);
            await importer.WriteAsync(r.ItemType, NpgsqlDbType.Text);
            await importer.WriteAsync(r.SalesChannel, NpgsqlDbType.Text);
            await importer.WriteAsync(r.OrderPriority, NpgsqlDbType.Text);
            await importer.WriteAsync(r.OrderDate, NpgsqlDbType.Date);
            await importer.WriteAsync(r.OrderId, NpgsqlDbType.Bigint);
            await importer.WriteAsync(r.ShipDate, NpgsqlDbType.Date);
            await importer.WriteAsync(r.UnitsSold, NpgsqlDbType.Integer);
            await importer.WriteAsync(r.UnitPrice, NpgsqlDbType.Numeric);
            await importer.WriteAsync(r.UnitCost, NpgsqlDbType.Numeric);
            await importer.WriteAsync(r.TotalRevenue, NpgsqlDbType.Numeric);
            await importer.WriteAsync(r.TotalCost, NpgsqlDbType.Numeric);
            await importer.WriteAsync(r.TotalProfit, NpgsqlDbType.Numeric);
        }

        await importer.CompleteAsync();
        await importer.DisposeAsync();
    }

    private static async Task EfCoreAsync(NpgsqlDataSource dataSource, string path)
    {
        foreach (var chunk in ReadSales(path).Chunk(1000))
        {
            await using var context = new SalesContext(dataSource);
            context.Sales.AddRange(chunk);
            await context.SaveChangesAsync();
        }
    }

    /// <summary>The sales file parsed by hand with Sylvan, as the CSV benchmarks' hand-written baseline does.</summary>
    private static IEnumerable<SalesRecord> ReadSales(string path)
    {
        using var reader = Sizes.OpenSylvan(path);
        while (reader.Read())
        {
            yield return Sizes.ReadSales(reader);
        }
    }

    /// <summary>
    /// The processor time of every <c>postgres</c> process this machine shows (the backends, the WAL writer, the
    /// checkpointer...), in seconds: the server's share of a run when it runs here, as with <c>eng/postgres.sh</c>.
    /// NaN where there is no <c>/proc</c> (the column then says nothing).
    /// </summary>
    private static double ServerCpuSeconds()
    {
        if (!Directory.Exists("/proc"))
        {
            return double.NaN;
        }

        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || !stat.AsSpan(open + 1, close - open - 1).StartsWith("postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                // After the name: state is field 3, utime field 14, stime field 15 (proc(5)).
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return ticks / 100.0;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> ServerVersionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT 'PostgreSQL ' || current_setting('server_version')");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private sealed class SalesContext(NpgsqlDataSource dataSource) : DbContext
    {
        public DbSet<SalesRecord> Sales => Set<SalesRecord>();

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(dataSource);

        /// <summary>The parsed rows themselves, into the sink's table: its identity key and domain are shadow properties.</summary>
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            var sale = modelBuilder.Entity<SalesRecord>();
            sale.ToTable(Engines.SalesSchema, Schema);
            sale.Property<long>("_id").UseIdentityAlwaysColumn();
            sale.HasKey("_id");
            sale.Property<string>("_domain").HasValueGenerator<NoDomain>();
            sale.Property(s => s.ItemType).HasColumnName("Item Type");
            sale.Property(s => s.SalesChannel).HasColumnName("Sales Channel");
            sale.Property(s => s.OrderPriority).HasColumnName("Order Priority");
            sale.Property(s => s.OrderDate).HasColumnName("Order Date");
            sale.Property(s => s.OrderId).HasColumnName("Order ID");
            sale.Property(s => s.ShipDate).HasColumnName("Ship Date");
            sale.Property(s => s.UnitsSold).HasColumnName("Units Sold");
            sale.Property(s => s.UnitPrice).HasColumnName("Unit Price");
            sale.Property(s => s.UnitCost).HasColumnName("Unit Cost");
            sale.Property(s => s.TotalRevenue).HasColumnName("Total Revenue");
            sale.Property(s => s.TotalCost).HasColumnName("Total Cost");
            sale.Property(s => s.TotalProfit).HasColumnName("Total Profit");
        }
    }

    /// <summary>The domain of every row the EF Core run writes: none (''), as the engine's runs.</summary>
    private sealed class NoDomain : Microsoft.EntityFrameworkCore.ValueGeneration.ValueGenerator<string>
    {
        public override bool GeneratesTemporaryValues => false;

        public override string Next(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) => string.Empty;
    }
}
