using System.Data;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Tests.Reading;

public sealed class ImportReaderFactoryTests
{
    /// <summary>Records reports on the calling thread, in order.</summary>
    private sealed class RecordingProgress : IProgress<ImportJobDto>
    {
        public List<ImportJobDto> Reports { get; } = [];

        public void Report(ImportJobDto value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    /// <summary>A host reader for comma-separated lines without quoting, with a row-count estimate of its own.</summary>
    private sealed class EstimatingLinesReader(int estimate) : ImportReaderFactory
    {
        public long? EstimatedFrom { get; private set; }

        public override string FileType => "lines";

        public override async ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(context.File, leaveOpen: true);
            var table = new DataTable();
            foreach (var name in (await reader.ReadLineAsync(cancellationToken))!.Split(','))
            {
                table.Columns.Add(name, typeof(string));
            }

            while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                table.Rows.Add(line.Split(','));
            }

            return table.CreateDataReader();
        }

        // A host writes "protected override"; this project sees the library's internals, so the override keeps both.
        protected internal override ValueTask<int?> EstimateRowCountAsync(Stream file, ImportRequest request, CancellationToken cancellationToken)
        {
            EstimatedFrom = file.Position;
            return ValueTask.FromResult<int?>(estimate);
        }
    }

    [Fact]
    public async Task EstimateRowCountAsync_HostFactory_ShowsItsEstimateInTotalItemsWhileTheJobRuns()
    {
        var reader = new EstimatingLinesReader(estimate: 1000);
        var services = new ServiceCollection();
        services.AddDataImport(o => o.ProgressInterval = TimeSpan.Zero).AddEntity<Customer>(e => e.Key(c => c.Email)).AddReader(reader);
        var engine = services.BuildServiceProvider().GetRequiredService<ImportEngine>();
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
            "Name,Email\n" + string.Concat(Enumerable.Range(0, 600).Select(i => $"N{i},n{i}@x.com\n"))));
        var progress = new RecordingProgress();

        var final = await engine.RunAsync(
            new ImportRequest { Entity = "Customer", FileType = "lines", File = input, BatchSize = 100 }, new InMemoryImportSink<Customer>(), progress);

        reader.EstimatedFrom.Should().Be(0);
        progress.Reports.Should().Contain(r => r.Status == ImportJobStatus.InProgress && r.TotalItems == 1000 && r.ProcessedItems > 0);
        (final.Status, final.TotalItems, final.CreatedCount).Should().Be((ImportJobStatus.Completed, 600, 600), final.Message);
    }

    [Fact]
    public async Task EstimateRowCountAsync_NotOverridden_TotalItemsIsUnknownUntilTheEnd()
    {
        var services = new ServiceCollection();
        services.AddDataImport(o => o.ProgressInterval = TimeSpan.Zero).AddEntity<Customer>(e => e.Key(c => c.Email)).AddReader(new PlainLinesReader());
        var engine = services.BuildServiceProvider().GetRequiredService<ImportEngine>();
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
            "Name,Email\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"N{i},n{i}@x.com\n"))));
        var progress = new RecordingProgress();

        var final = await engine.RunAsync(
            new ImportRequest { Entity = "Customer", FileType = "lines", File = input, BatchSize = 100 }, new InMemoryImportSink<Customer>(), progress);

        progress.Reports.Where(r => r.Status == ImportJobStatus.InProgress).Should().OnlyContain(r => r.TotalItems == null);
        final.TotalItems.Should().Be(300);
    }

    /// <summary>The same reader without an estimate.</summary>
    private sealed class PlainLinesReader : ImportReaderFactory
    {
        private readonly EstimatingLinesReader _inner = new(0);

        public override string FileType => "lines";

        public override ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken) =>
            _inner.OpenAsync(context, cancellationToken);
    }
}
