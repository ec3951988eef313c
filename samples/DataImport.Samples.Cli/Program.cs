using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataImport;
using DataImport.Samples.Cli;
using DataImport.Samples.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

CliOptions options;
try
{
    options = CliOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options.Help || options.Command == "help")
{
    Console.WriteLine(CliOptions.Usage);
    return 0;
}

try
{
    var bundled = Path.Combine(AppContext.BaseDirectory, "data");
    var schemaPath = options.Schema ?? Path.Combine(bundled, "schema.json");
    IReadOnlyList<EntitySchema> schemas;
    try
    {
        schemas = await EntitySchemaJson.LoadAsync(schemaPath);
    }
    catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"The schema '{schemaPath}' cannot be used: {ex.Message}");
        return 2;
    }

    var store = new SqliteRecordStore(options.Database);
    var services = new ServiceCollection();
    services.AddDataImport()
        .AddEntities(schemas)
        .AddSink<ImportRecord>((_, context) => store.CreateSink(context.Entity, context.Domain));
    var engine = services.BuildServiceProvider().GetRequiredService<ImportEngine>();
    var json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    if (options.Command == "export")
    {
        var entity = engine.FindEntity(options.Entity);
        if (entity is null)
        {
            Console.Error.WriteLine($"The entity '{options.Entity}' is not in the schema; entities: {string.Join(", ", engine.Entities.Select(e => e.Name))}.");
            return 2;
        }

        var lines = new JsonSerializerOptions(json) { WriteIndented = false };
        for (var offset = 0; ; offset += 500)
        {
            var records = (await store.ListAsync(entity, options.Domain, offset, 500, CancellationToken.None)).Records;
            foreach (var record in records)
            {
                Console.WriteLine(JsonSerializer.Serialize(record, lines));
            }

            if (records.Count < 500)
            {
                return 0;
            }
        }
    }

    var file = options.File ?? Path.Combine(bundled, "customers.csv");
    if (!File.Exists(file))
    {
        Console.Error.WriteLine($"The file '{file}' does not exist.");
        return 2;
    }

    var type = options.Type ?? Path.GetExtension(file).TrimStart('.').ToLowerInvariant();
    var notImportedPath = options.NotImported
        ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Database)) ?? ".", Path.GetFileNameWithoutExtension(file) + ".not-imported.csv");
    ColumnMapping mapping;
    try
    {
        mapping = options.Mapping is null ? ColumnMapping.ByHeaderName
            : ColumnMapping.Parse(options.Mapping.StartsWith('@') ? await File.ReadAllTextAsync(options.Mapping[1..]) : options.Mapping);
    }
    catch (Exception ex) when (ex is ImportValidationException or IOException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    await using var input = File.OpenRead(file);
    await using var notImported = File.Create(notImportedPath);
    var request = new ImportRequest
    {
        Entity = options.Entity,
        FileType = type,
        File = input,
        FileName = Path.GetFileName(file),
        Mapping = mapping,
        Locale = options.Locale,
        TimezoneOffset = options.Offset,
        Mode = options.Mode,
        Sheet = options.Sheet,
        HasHeaderRow = options.HasHeaderRow,
        Delimiter = options.Delimiter,
        Encoding = options.Encoding,
        DryRun = options.DryRun,
        Domain = options.Domain,
        NotImportedOutput = notImported,
    };

    ImportJobDto job;
    try
    {
        engine.Validate(request);
        if (!options.Json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            job = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask($"Importing {Markup.Escape(request.FileName!)}", maxValue: 100);
                    var progress = new SynchronousProgress(p => bar.Value = p.Progress);
                    var result = await engine.RunAsync(request, progress);
                    bar.Value = 100;
                    return result;
                });
        }
        else
        {
            var last = -1;
            var progress = new SynchronousProgress(p =>
            {
                if (!options.Json && p.Progress != last)
                {
                    last = p.Progress;
                    Console.WriteLine($"progress {p.Progress}% ({p.ProcessedItems}{(p.TotalItems is { } t ? $"/{t}" : string.Empty)} rows)");
                }
            });
            job = await engine.RunAsync(request, progress);
        }
    }
    catch (ImportValidationException ex)
    {
        Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Problems.Select(p => p.Message)));
        return 2;
    }

    await notImported.DisposeAsync();
    if (job.FailedCount == 0 && File.Exists(notImportedPath))
    {
        File.Delete(notImportedPath);
    }

    if (options.Json)
    {
        Console.WriteLine(JsonSerializer.Serialize(job, json));
    }
    else
    {
        Console.WriteLine($"{job.Status}: {job.FileName} → {job.Entity} ({(options.DryRun ? "dry run" : options.Database)})");
        Console.WriteLine($"  rows {job.TotalItems ?? job.ProcessedItems}, created {job.CreatedCount}, updated {job.UpdatedCount}, skipped {job.SkippedCount}, errors {job.ErrorCount}");
        foreach (var error in job.Errors.Take(10))
        {
            Console.WriteLine($"  row {error.Row}{(error.Property is null ? "" : $", {error.Property}")}{(error.Column is null ? "" : $" (column {error.Column})")}: {error.Message}");
        }

        if (job.Errors.Count > 10)
        {
            Console.WriteLine($"  … and {job.FailedCount - 10} more");
        }

        if (job.FailedCount > 0)
        {
            Console.WriteLine($"  rows not imported: {notImportedPath}");
        }

        if (job.Status != ImportJobStatus.Completed)
        {
            Console.WriteLine($"  {job.Message}");
        }
    }

    if (job.Status != ImportJobStatus.Completed)
    {
        Console.Error.WriteLine(job.Message);
        return 1;
    }

    return 0;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
{
    // A path that cannot be read or written, or a database that cannot be opened: one line, not a stack trace.
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

/// <summary>Reports on the import's own thread, so the bar and lines follow the rows in order.</summary>
internal sealed class SynchronousProgress(Action<ImportJobDto> report) : IProgress<ImportJobDto>
{
    public void Report(ImportJobDto value) => report(value);
}
