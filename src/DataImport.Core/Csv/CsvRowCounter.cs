using System.Text;

namespace DataImport.Csv;

/// <summary>
/// Counts the non-blank records of a CSV file in one fast pass (quote-aware, on bytes for 8-bit and UTF-8
/// encodings), so a job can report <c>totalItems</c> and a percentage before it finishes. The count is an estimate
/// for progress; the job's final <c>totalItems</c> is the number of data rows the engine actually read.
/// </summary>
internal static class CsvRowCounter
{
    public static async ValueTask<int?> CountDataRowsAsync(Stream stream, string? declaredEncoding, char? delimiter, bool hasHeaderRow, CancellationToken cancellationToken)
    {
        var prefix = await CsvPrelude.ReadPrefixAsync(stream, cancellationToken).ConfigureAwait(false);
        Encoding encoding;
        try
        {
            encoding = CsvPrelude.ResolveEncoding(prefix, declaredEncoding);
        }
        catch (Exception ex) when (ex is InvalidDataException or ImportFileException)
        {
            return null;
        }

        if (encoding is UnicodeEncoding || !encoding.IsSingleByte && encoding is not UTF8Encoding)
        {
            return null;
        }

        var lenient = (Encoding)encoding.Clone();
        lenient.DecoderFallback = DecoderFallback.ReplacementFallback;
        var delim = (byte)(delimiter ?? CsvPrelude.DetectDelimiter(lenient.GetString(prefix, 0, Math.Min(prefix.Length, CsvPrelude.DetectionBytes))));
        var state = new State();
        Scan(prefix, delim, ref state);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Scan(buffer.AsSpan(0, read), delim, ref state);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        if (state.Content)
        {
            state.Records++;
        }

        var rows = state.Records - (hasHeaderRow && state.Records > 0 ? 1 : 0);
        return Math.Max(rows, 0);
    }

    private static void Scan(ReadOnlySpan<byte> span, byte delimiter, ref State state)
    {
        ReadOnlySpan<byte> blank = [delimiter, (byte)' ', (byte)'\t', (byte)'\r'];
        while (!span.IsEmpty)
        {
            if (state.InQuotes)
            {
                var q = span.IndexOf((byte)'"');
                if (q < 0)
                {
                    return;
                }

                state.InQuotes = false;
                span = span[(q + 1)..];
                continue;
            }

            var next = span.IndexOfAny((byte)'"', (byte)'\n');
            var segment = next < 0 ? span : span[..next];
            if (!state.Content && segment.IndexOfAnyExcept(blank) >= 0)
            {
                state.Content = true;
            }

            if (next < 0)
            {
                return;
            }

            if (span[next] == (byte)'"')
            {
                state.InQuotes = true;
                state.Content = true;
            }
            else
            {
                if (state.Content)
                {
                    state.Records++;
                }

                state.Content = false;
            }

            span = span[(next + 1)..];
        }
    }

    private struct State
    {
        public bool InQuotes;
        public bool Content;
        public int Records;
    }
}
