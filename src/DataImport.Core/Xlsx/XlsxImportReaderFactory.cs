using System.Data.Common;

namespace DataImport.Xlsx;

/// <summary>Reads XLSX workbooks with <see cref="XlsxDataReader"/>, one worksheet chosen by name or index (the first by default).</summary>
internal sealed class XlsxImportReaderFactory : ImportReaderFactory
{
    public override string FileType => "xlsx";

    public override async ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken)
    {
        var options = new XlsxReaderOptions
        {
            Sheet = context.Sheet,
            HasHeaderRow = context.HasHeaderRow,
            MaxColumns = context.MaxColumns,
            MaxPartUncompressedBytes = context.MaxUncompressedBytes,
            MaxCompressionRatio = context.MaxCompressionRatio,
            ReadAhead = context.ReadAhead,
        };
        var reader = await XlsxDataReader.CreateAsync(context.File, options, cancellationToken).ConfigureAwait(false);
        if (reader.FieldCount == 0)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"The worksheet '{reader.SheetName}' is empty: it has no header row and no data rows.");
        }

        return reader;
    }

    internal override Reading.RowSource CreateRowSource(DbDataReader reader, ImportRequest request, DataImportOptions options, Reading.IdleGate? idle) =>
        new XlsxRowSource((XlsxDataReader)reader, request.HasHeaderRow, Math.Min(HighestMappedColumn(request.Mapping), options.MaxColumns));

    private static int HighestMappedColumn(ColumnMapping mapping)
    {
        var highest = 0;
        foreach (var entry in mapping.Entries)
        {
            if (entry.Column is { } column && column > highest)
            {
                highest = column;
            }
        }

        return highest;
    }
}
