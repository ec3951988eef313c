using BenchmarkDotNet.Attributes;
using DataImport.Xlsx;
using ExcelDataReader;
using MiniExcelLibs;

namespace DataImport.Benchmarks;

/// <summary>The sales data as XLSX (shared strings, date-styled cells), every cell of the sheet read.</summary>
/// <remarks>Fewer iterations than the CSV classes: MiniExcel and ExcelDataReader take several seconds per 1M-row read.</remarks>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(4)]
public class XlsxBenchmarks
{
    private readonly ImportEngine _engine = Engines.Create();
    private readonly ImportEngine _oneThread = Engines.Create(readAhead: false, degree: 1);
    private string _path = null!;

    [ParamsSource(typeof(Sizes), nameof(Sizes.Rows))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        _path = DataFiles.SalesXlsx(Rows);
    }

    private FileStream Open() => new(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);

    // The default reader inflates the sheet on a second thread while parsing it (XlsxReaderOptions.ReadAhead).
    [Benchmark(Description = "e) XlsxDataReader typed getters")]
    public double DataImportTyped() => ReadTyped(new XlsxReaderOptions());

    [Benchmark(Description = "e) XlsxDataReader typed getters, one thread")]
    public double DataImportTypedOneThread() => ReadTyped(new XlsxReaderOptions { ReadAhead = false });

    private double ReadTyped(XlsxReaderOptions options)
    {
        using var file = Open();
        using var reader = XlsxDataReader.Create(file, options);
        double total = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                total += reader.GetCellType(i) switch
                {
                    XlsxCellType.String => reader.GetString(i).Length,
                    XlsxCellType.Number => reader.GetDouble(i),
                    XlsxCellType.DateTime => reader.GetDateTime(i).Day,
                    XlsxCellType.Boolean => reader.GetBoolean(i) ? 1 : 0,
                    _ => 0,
                };
            }
        }

        return total;
    }

    [Benchmark(Description = "e) XlsxDataReader GetValue")]
    public long DataImportGetValue()
    {
        using var file = Open();
        using var reader = XlsxDataReader.Create(file);
        long count = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                count += reader.GetValue(i) is DBNull ? 0 : 1;
            }
        }

        return count;
    }

    [Benchmark(Baseline = true, Description = "e) ExcelDataReader GetValue")]
    public long ExcelDataReaderGetValue()
    {
        using var file = Open();
        using var reader = ExcelReaderFactory.CreateReader(file);
        long count = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                count += reader.GetValue(i) is null ? 0 : 1;
            }
        }

        return count;
    }

    // The whole import of the sheet into SalesRecord (conversion, validation, batches, outcomes) to a no-op sink: what
    // the readers above leave to their caller. The default converts on every core, as for CSV.
    [Benchmark(Description = "e) Engine POCO CreateOnly")]
    public Task<long> EnginePocoCreateOnly() => Engines.ImportAsync<SalesRecord>(_engine, Engines.Sales, _path, ImportMode.CreateOnly, Rows, fileType: "xlsx");

    [Benchmark(Description = "e) Engine POCO CreateOnly, one thread")]
    public Task<long> EnginePocoCreateOnlyOneThread() => Engines.ImportAsync<SalesRecord>(_oneThread, Engines.Sales, _path, ImportMode.CreateOnly, Rows, fileType: "xlsx");

    [Benchmark(Description = "e) MiniExcel Query")]
    public long MiniExcelQuery()
    {
        using var file = Open();
        long count = 0;
        foreach (IDictionary<string, object?> row in file.Query(useHeaderRow: true))
        {
            foreach (var value in row.Values)
            {
                count += value is null ? 0 : 1;
            }
        }

        return count;
    }
}
