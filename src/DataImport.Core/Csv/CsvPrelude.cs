using System.Text;

namespace DataImport.Csv;

/// <summary>
/// Looks at the start of a CSV file before parsing: refuses binary content, settles the encoding (declared,
/// byte order mark, or strict UTF-8) and detects the delimiter from the first line.
/// </summary>
internal static class CsvPrelude
{
    public const int PrefixBytes = 64 * 1024;

    /// <summary>How much of the prefix is decoded to find the delimiter: the first line is enough, and a 16 KB string stays off the large object heap.</summary>
    public const int DetectionBytes = 16 * 1024;

    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    static CsvPrelude()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Reads up to <see cref="PrefixBytes"/> bytes from the stream.</summary>
    public static async ValueTask<byte[]> ReadPrefixAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[PrefixBytes];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total == buffer.Length ? buffer : buffer[..total];
    }

    public static Encoding ResolveEncoding(ReadOnlySpan<byte> prefix, string? declared)
    {
        if (!string.IsNullOrWhiteSpace(declared))
        {
            try
            {
                var encoding = Encoding.GetEncoding(declared.Trim());
                return encoding is UTF8Encoding ? new UTF8Encoding(false, throwOnInvalidBytes: true) : encoding;
            }
            catch (ArgumentException)
            {
                throw new InvalidDataException($"The encoding '{declared}' is not known. Use a name such as utf-8, utf-16, windows-1252 or iso-8859-1.");
            }
        }

        // With the byte order mark as its preamble the text reader skips the mark and keeps this strict encoding; otherwise
        // it would detect the mark itself and switch to a UTF-8 decoder that silently replaces invalid bytes.
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);
        }

        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true);
        }

        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true);
        }

        return new UTF8Encoding(false, throwOnInvalidBytes: true);
    }

    /// <summary>Refuses content that is clearly not delimited text.</summary>
    public static void EnsureText(ReadOnlySpan<byte> prefix, Encoding encoding)
    {
        if (prefix.StartsWith("PK\u0003\u0004"u8))
        {
            throw new InvalidDataException("The file is a zip archive (perhaps an XLSX workbook), not CSV text. Import it with type 'xlsx'.");
        }

        if (encoding is UnicodeEncoding || encoding.CodePage is 1200 or 1201 or 12000 or 12001)
        {
            return;
        }

        // Text in an 8-bit or UTF-8 encoding never holds NUL bytes; binary files nearly always do.
        if (prefix.IndexOf((byte)0) >= 0)
        {
            throw new InvalidDataException("The file is not CSV text: it contains binary data. Check that the file and its type are right.");
        }
    }

    /// <summary>Reads Excel's <c>sep=X</c> first line, which names the delimiter.</summary>
    public static char? SeparatorHint(ReadOnlySpan<char> text)
    {
        if (text.Length >= 5 && text.StartsWith("sep=", StringComparison.OrdinalIgnoreCase)
            && (text.Length == 5 || text[5] is '\r' or '\n'))
        {
            return text[4];
        }

        return null;
    }

    /// <summary>Picks the delimiter that occurs most often outside quotes in the first non-empty line.</summary>
    public static char DetectDelimiter(ReadOnlySpan<char> text)
    {
        Span<int> counts = stackalloc int[Candidates.Length];
        var inQuotes = false;
        var seenContent = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                seenContent = true;
                continue;
            }

            if (inQuotes)
            {
                continue;
            }

            if (c is '\n' or '\r')
            {
                if (seenContent)
                {
                    break;
                }

                continue;
            }

            seenContent = true;
            var index = Array.IndexOf(Candidates, c);
            if (index >= 0)
            {
                counts[index]++;
            }
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return counts[best] > 0 ? Candidates[best] : ',';
    }
}
