using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Tests;

public enum Tier
{
    Gold,
    Silver,
}

public sealed class Customer
{
    [Required]
    [MaxLength(20)]
    public string? Name { get; set; }

    [Required]
    public string? Email { get; set; }

    public decimal? Balance { get; set; }

    public DateOnly? Born { get; set; }

    public DateTimeOffset? Joined { get; set; }

    public bool? Active { get; set; }

    public Tier? Tier { get; set; }
}

/// <summary>A real file in a temp folder, deleted on dispose.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(byte[] content, string extension = ".csv")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataimport-tests", Guid.NewGuid().ToString("N") + extension);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllBytes(Path, content);
    }

    public TempFile(string text, string extension = ".csv")
        : this(Encoding.UTF8.GetBytes(text), extension)
    {
    }

    public string Path { get; }

    public FileStream Open() => File.OpenRead(Path);

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}

public static class TestEngine
{
    public const string CustomerSchemaJson = """
        {"entities": [{"name": "Customer", "key": ["Email"], "properties": [
          {"name": "Name", "type": "string", "required": true, "maxLength": 100},
          {"name": "Email", "type": "string", "required": true},
          {"name": "Balance", "type": "decimal"}, {"name": "Born", "type": "date"},
          {"name": "Joined", "type": "datetime"}, {"name": "Active", "type": "bool"},
          {"name": "Tier", "type": "enum", "values": ["Gold", "Silver"]}]}]}
        """;

    public static ImportEngine Create(Action<DataImportBuilder> configure, Action<DataImportOptions>? options = null)
    {
        var services = new ServiceCollection();
        configure(services.AddDataImport(options));
        return services.BuildServiceProvider().GetRequiredService<ImportEngine>();
    }

    public static ImportEngine Customers(Action<DataImportOptions>? options = null) =>
        Create(b => b.AddEntity<Customer>(e => e.Key(c => c.Email)), options);

    public static ImportEngine Dynamic(Action<DataImportOptions>? options = null) =>
        Create(b => b.AddEntitiesFromJson(CustomerSchemaJson), options);

    public static ImportRequest Csv(Stream file, string entity = "Customer", ColumnMapping? mapping = null, ImportMode mode = ImportMode.CreateOnly,
        int? batchSize = null, Stream? notImported = null, string? locale = null, int offset = 0, bool header = true) => new()
        {
            Entity = entity,
            FileType = "csv",
            File = file,
            FileName = "customers.csv",
            Mapping = mapping ?? ColumnMapping.ByHeaderName,
            Mode = mode,
            BatchSize = batchSize,
            NotImportedOutput = notImported,
            Locale = locale,
            TimezoneOffset = offset,
            HasHeaderRow = header,
        };

    public static ColumnMapping Map(params string[] properties)
    {
        var mapping = new ColumnMapping();
        for (var i = 0; i < properties.Length; i++)
        {
            if (properties[i].Length > 0)
            {
                mapping.Map(i + 1, properties[i]);
            }
        }

        return mapping;
    }

    public static async Task<(ImportJobDto Job, InMemoryImportSink<Customer> Sink, string NotImported)> ImportCustomersAsync(
        string csv, ImportMode mode = ImportMode.CreateOnly, int? batchSize = null, InMemoryImportSink<Customer>? sink = null, string? locale = null, int offset = 0, ColumnMapping? mapping = null)
    {
        using var file = new TempFile(csv);
        await using var input = file.Open();
        using var output = new MemoryStream();
        sink ??= new InMemoryImportSink<Customer>();
        var job = await Customers().RunAsync(Csv(input, mode: mode, batchSize: batchSize, notImported: output, locale: locale, offset: offset, mapping: mapping), sink);
        return (job, sink, Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF'));
    }
}
