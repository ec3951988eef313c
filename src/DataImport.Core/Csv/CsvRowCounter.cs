using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        Scan(prefix, delim, ref state, wide: true);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Scan(buffer.AsSpan(0, read), delim, ref state, wide: true);
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

    /// <summary>
    /// Counts the records ending in <paramref name="span"/>, carrying the quote and content state across calls: 64 bytes
    /// at a time with vector compares, and the rest (or all of it without vector hardware) a byte class at a time.
    /// </summary>
    /// <param name="span">The next bytes of the file.</param>
    /// <param name="delimiter">The field delimiter (a blank: a line of only delimiters and white space is no record).</param>
    /// <param name="state">The state the previous bytes left.</param>
    /// <param name="wide">Whether to compare 32 bytes at once (where the hardware does) rather than 16; tests take both.</param>
    internal static void Scan(ReadOnlySpan<byte> span, byte delimiter, ref State state, bool wide)
    {
        if (Vector128.IsHardwareAccelerated && span.Length >= 64)
        {
            var blocks = span.Length & ~63;
            ScanBlocks(span[..blocks], delimiter, ref state, wide && Vector256.IsHardwareAccelerated);
            span = span[blocks..];
        }

        ScanBytes(span, delimiter, ref state);
    }

    /// <summary>
    /// The bitmask form of <see cref="ScanBytes"/> (as simdjson finds quoted regions): per 64-byte block, one bit per
    /// byte for quotes, line feeds and content (neither blank nor a line feed). The bytes inside quotes are the prefix
    /// XOR of the quote bits (each quote toggles, as in <see cref="ScanBytes"/>); a line feed inside them is not a
    /// record's end, and they count as content. Each remaining line feed ends a record when content came since the last.
    /// </summary>
    private static void ScanBlocks(ReadOnlySpan<byte> span, byte delimiter, ref State state, bool wide)
    {
        ref var start = ref MemoryMarshal.GetReference(span);
        for (nuint offset = 0; offset < (nuint)span.Length; offset += 64)
        {
            var (quotes, lineFeeds, content) = Masks(ref Unsafe.Add(ref start, offset), delimiter, wide);
            var inside = PrefixXor(quotes) ^ (state.InQuotes ? ulong.MaxValue : 0);
            state.InQuotes = (long)inside < 0;
            content |= quotes | inside;
            for (var ends = lineFeeds & ~inside; ends != 0; ends &= ends - 1)
            {
                var at = BitOperations.TrailingZeroCount(ends);
                if (state.Content || (content & ((1UL << at) - 1)) != 0)
                {
                    state.Records++;
                }

                // Drop the content up to and including this line feed: what remains belongs to the next lines.
                state.Content = false;
                content &= ~((2UL << at) - 1);
            }

            state.Content |= content != 0;
        }
    }

    private static (ulong Quotes, ulong LineFeeds, ulong Content) Masks(ref byte block, byte delimiter, bool wide)
    {
        if (wide)
        {
            var (low, high) = (Masks(Vector256.LoadUnsafe(ref block), delimiter), Masks(Vector256.LoadUnsafe(ref block, 32), delimiter));
            return (low.Quotes | (high.Quotes << 32), low.LineFeeds | (high.LineFeeds << 32), low.Content | (high.Content << 32));
        }

        ulong quotes = 0, lineFeeds = 0, content = 0;
        for (var part = 0; part < 4; part++)
        {
            var bytes = Vector128.LoadUnsafe(ref block, (nuint)(16 * part));
            var lineFeed = Vector128.Equals(bytes, Vector128.Create((byte)'\n'));
            var blank = Vector128.Equals(bytes, Vector128.Create(delimiter)) | Vector128.Equals(bytes, Vector128.Create((byte)' '))
                | Vector128.Equals(bytes, Vector128.Create((byte)'\t')) | Vector128.Equals(bytes, Vector128.Create((byte)'\r'));
            var shift = 16 * part;
            quotes |= (ulong)Vector128.Equals(bytes, Vector128.Create((byte)'"')).ExtractMostSignificantBits() << shift;
            lineFeeds |= (ulong)lineFeed.ExtractMostSignificantBits() << shift;
            content |= (ulong)(~(blank | lineFeed)).ExtractMostSignificantBits() << shift;
        }

        return (quotes, lineFeeds, content);
    }

    private static (ulong Quotes, ulong LineFeeds, ulong Content) Masks(Vector256<byte> bytes, byte delimiter)
    {
        var lineFeed = Vector256.Equals(bytes, Vector256.Create((byte)'\n'));
        var blank = Vector256.Equals(bytes, Vector256.Create(delimiter)) | Vector256.Equals(bytes, Vector256.Create((byte)' '))
            | Vector256.Equals(bytes, Vector256.Create((byte)'\t')) | Vector256.Equals(bytes, Vector256.Create((byte)'\r'));
        return (Vector256.Equals(bytes, Vector256.Create((byte)'"')).ExtractMostSignificantBits(), lineFeed.ExtractMostSignificantBits(), (~(blank | lineFeed)).ExtractMostSignificantBits());
    }

    /// <summary>Each bit becomes the XOR of itself and every lower bit: 1 from an opening quote up to its closing one (also the block cut's, <see cref="CsvBlockSplitter"/>).</summary>
    internal static ulong PrefixXor(ulong bits)
    {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        return bits ^ (bits << 32);
    }

    private static void ScanBytes(ReadOnlySpan<byte> span, byte delimiter, ref State state)
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

    internal struct State
    {
        public bool InQuotes;
        public bool Content;
        public int Records;
    }
}
