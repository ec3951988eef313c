using System.Data.Common;
using DataImport.Reading;
using System.Text;
using Sylvan.Data.Csv;

namespace DataImport.Csv;

/// <summary>
/// Reads CSV through Sylvan.Data.Csv: RFC 4180 quoting, CRLF or LF, UTF-8 with or without BOM, UTF-16 with BOM,
/// a declared encoding, and the delimiter (<c>,</c> <c>;</c> tab <c>|</c>) detected from the first line when not given.
/// </summary>
internal sealed class CsvImportReaderFactory : ImportReaderFactory
{
    // 32K chars keeps each buffer under the large object heap threshold (85,000 bytes), so an import allocates no
    // LOH arrays that would later cost a full collection; Sylvan grows the buffer for longer records up to MaxFieldLength.
    private const int BufferChars = 32 * 1024;

    // The marker of bad bytes each open reader decodes with, for the row source the engine makes of that reader.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CsvDataReader, CsvInvalidBytes> InvalidBytes = new();

    // Readers of a header-less request whose first line is a not-imported file's header line, read as a header.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CsvDataReader, object> NotImportedHeaders = new();

    // Readers that read the header line only: their data rows are cut into blocks, parsed where they are converted.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CsvDataReader, CsvBlockPlan> HeaderCuts = new();

    public override string FileType => "csv";

    public override async ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken)
    {
        var prefix = await CsvPrelude.ReadPrefixAsync(context.File, cancellationToken).ConfigureAwait(false);
        var encoding = CsvPrelude.ResolveEncoding(prefix, context.Encoding);
        CsvPrelude.EnsureText(prefix, encoding);
        var preview = DecodeForDetection(prefix, encoding).TrimStart('\uFEFF');
        var hint = CsvPrelude.SeparatorHint(preview);
        var delimiter = context.Delimiter ?? hint ?? CsvPrelude.DetectDelimiter(preview);
        context.OutputDelimiter = delimiter;
        if (prefix.Length == 0 || (prefix.Length <= 3 && encoding.GetPreamble().AsSpan().SequenceEqual(prefix)))
        {
            throw new InvalidDataException("The file is empty: it has no header row and no data rows.");
        }

        var text = new StreamReader(new PrefixedStream(prefix, context.File), CsvInvalidBytes.Marking(encoding, out var invalidBytes), detectEncodingFromByteOrderMarks: context.Encoding is null, bufferSize: BufferChars);
        if (hint is not null)
        {
            // Excel's "sep=;" line is an instruction, not a row: spreadsheets do not show it, so it takes no row number.
            await text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }

        var hasHeaders = context.HasHeaderRow;
        if (!hasHeaders && IsNotImportedHeaderLine(hint is null ? preview : SkipLine(preview), delimiter))
        {
            hasHeaders = true;
            context.StartsWithNotImportedHeader = true;
        }

        var options = new CsvDataReaderOptions
        {
            HasHeaders = hasHeaders,
            Delimiter = delimiter,
            BufferSize = Math.Min(BufferChars, context.MaxFieldLength),
            MaxBufferSize = Math.Max(context.MaxFieldLength, BufferChars),
        };

        // With conversion on several threads the data rows go to the converting threads in blocks of whole records, each
        // parsed there by a reader of its own (CsvBlockSource): the importing thread only cuts the text. Sylvan then reads
        // the header line alone.
        TextReader source = text;
        CsvHeaderCut? cut = null;
        if (hasHeaders && context.ConvertingThreads > 1)
        {
            source = cut = await CsvHeaderCut.ReadAsync(text, BufferChars, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var reader = await CsvDataReader.CreateAsync(source, options, cancellationToken).ConfigureAwait(false);
            if (reader.FieldCount == 0)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw new InvalidDataException("The file is empty: it has no header row and no data rows.");
            }

            if (reader.FieldCount > context.MaxColumns)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw new InvalidDataException($"The file has {reader.FieldCount} columns; the limit is {context.MaxColumns}.");
            }

            if (invalidBytes is { Seen: true } && hasHeaders && BadHeader(reader) is var column and >= 0)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw invalidBytes.Failure(1, column + 1);
            }

            if (invalidBytes is not null)
            {
                InvalidBytes.AddOrUpdate(reader, invalidBytes);
            }

            if (context.StartsWithNotImportedHeader)
            {
                NotImportedHeaders.AddOrUpdate(reader, NotImportedHeaders);
            }

            if (cut is { IsCut: true })
            {
                HeaderCuts.AddOrUpdate(reader, new CsvBlockPlan(cut, options));
            }

            return reader;
        }
        catch (Exception ex) when (ex is CsvFormatException or DecoderFallbackException)
        {
            source.Dispose();
            var row = ex is CsvFormatException format ? format.RowNumber + (hasHeaders ? 1 : 0) : 1;
            throw CsvRowSource.Describe(ex, Math.Max(row, 1), context.MaxFieldLength);
        }
    }

    protected internal override ValueTask<int?> EstimateRowCountAsync(Stream file, ImportRequest request, CancellationToken cancellationToken) =>
        CsvRowCounter.CountDataRowsAsync(file, request.Encoding, request.Delimiter, request.HasHeaderRow, cancellationToken);

    /// <summary>
    /// Sylvan's row source; for a large file with more than one core (and <see cref="DataImportOptions.ReadAhead"/>), read
    /// ahead on a second thread so parsing and decoding overlap with the engine's conversion of earlier rows.
    /// </summary>
    internal override RowSource CreateRowSource(DbDataReader reader, ImportRequest request, DataImportOptions options, IdleGate? idle)
    {
        var csv = (CsvDataReader)reader;
        var source = new CsvRowSource(csv, request.HasHeaderRow || NotImportedHeaders.TryGetValue(csv, out _), options.MaxFieldLength, InvalidBytes.TryGetValue(csv, out var invalidBytes) ? invalidBytes : null);
        if (HeaderCuts.TryGetValue(csv, out var plan))
        {
            return new CsvBlockSource(source, plan.Cut, plan.Options, invalidBytes, options.MaxFieldLength);
        }

        // Only a seekable file (its size known, its reads local): the reading thread must end promptly when the import
        // does, which a stalled network stream would not guarantee.
        var file = request.File;
        var large = file.CanSeek && file.Length - file.Position >= options.ReadAheadMinBytes;
        // With conversion on several threads the importing thread only reads, and the chunks it reads into are the read-ahead.
        return options.ReadAhead && options.MaxDegreeOfParallelism == 1 && large && options.ProcessorCount > 1 ? new ReadAheadRowSource(source, idle) : source;
    }

    /// <summary>
    /// Whether <paramref name="text"/> starts with the header line a not-imported file of a header-less source has: only
    /// blank names, then <c>Row</c> and <c>Reason</c> (at least one blank name). No real data row looks like that.
    /// </summary>
    internal static bool IsNotImportedHeaderLine(string text, char delimiter)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        var line = end < 0 ? text.AsSpan() : text.AsSpan(0, end);
        var fields = line.ToString().Split(delimiter);
        return fields.Length >= 3
            && string.Equals(fields[^2].Trim(), "Row", StringComparison.OrdinalIgnoreCase)
            && string.Equals(fields[^1].Trim(), "Reason", StringComparison.OrdinalIgnoreCase)
            && fields[..^2].All(f => f.Trim().Length == 0);
    }

    private static string SkipLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? string.Empty : text[(end + 1)..];
    }

    private static int BadHeader(CsvDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.GetName(i).Contains(CsvInvalidBytes.Marker, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string DecodeForDetection(byte[] prefix, Encoding encoding)
    {
        // Lenient decoding here: a bad byte near the end of the prefix (a cut multi-byte sequence) must not fail detection.
        var lenient = (Encoding)encoding.Clone();
        lenient.DecoderFallback = DecoderFallback.ReplacementFallback;
        return lenient.GetString(prefix, 0, Math.Min(prefix.Length, CsvPrelude.DetectionBytes));
    }
}

/// <summary>A file whose header was read alone: its data rows are read in blocks, by readers with these options.</summary>
internal sealed record CsvBlockPlan(CsvHeaderCut Cut, CsvDataReaderOptions Options);
