using System.Text;
using DataImport.Reading;

namespace DataImport.Output;

/// <summary>
/// Writes the CSV of rows not imported: the source's columns (and header row), then <c>Row</c> and <c>Reason</c>,
/// so a user can fix the values and import the file again with the same mapping and settings.
/// </summary>
/// <remarks>
/// UTF-8 with a byte order mark (so spreadsheet programs show accents right; the reader accepts it), RFC 4180
/// quoting, CRLF line ends, the source's delimiter for a CSV source. Rows shorter than the header are padded;
/// fields past the header's width are dropped (they cannot be mapped). The engine's own text (the reason) is
/// neutralised against formula injection; source cells only when the request asks.
/// </remarks>
internal sealed class NotImportedWriter : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly char _delimiter;
    private readonly int _width;
    private readonly bool _neutraliseSource;
    private readonly StringBuilder _line = new();

    public NotImportedWriter(Stream output, char delimiter, int width, bool neutraliseSource, bool writePreamble)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: writePreamble), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        _delimiter = delimiter;
        _width = width;
        _neutraliseSource = neutraliseSource;
    }

    /// <summary>
    /// The source columns the not-imported file repeats. A file that is itself a not-imported file (its last two
    /// headers are Row and Reason) gets fresh Row and Reason columns instead of a second pair.
    /// </summary>
    public static int SourceWidth(IReadOnlyList<string> headers, bool hasHeaderRow)
    {
        var n = headers.Count;
        return hasHeaderRow && n >= 3
            && string.Equals(headers[n - 2].Trim(), "Row", StringComparison.OrdinalIgnoreCase)
            && string.Equals(headers[n - 1].Trim(), "Reason", StringComparison.OrdinalIgnoreCase)
            ? n - 2
            : n;
    }

    public void WriteHeader(IReadOnlyList<string> headers)
    {
        _line.Clear();
        for (var i = 0; i < _width; i++)
        {
            AppendField(i < headers.Count ? headers[i] : string.Empty, neutralise: false);
            _line.Append(_delimiter);
        }

        AppendField("Row", false);
        _line.Append(_delimiter);
        AppendField("Reason", false);
        _writer.WriteLine(_line);
    }

    public void WriteRow(RawRowArena arena, int firstField, int fieldCount, int row, string reason)
    {
        _line.Clear();
        for (var i = 0; i < _width; i++)
        {
            AppendField(i < fieldCount ? arena.Field(firstField + i) : [], _neutraliseSource);
            _line.Append(_delimiter);
        }

        _line.Append(row);
        _line.Append(_delimiter);
        AppendField(reason, neutralise: true);
        _writer.WriteLine(_line);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    internal static bool LooksLikeFormula(ReadOnlySpan<char> text) =>
        !text.IsEmpty && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(text);

    private static bool IsPlainNumber(ReadOnlySpan<char> text) =>
        text[0] is '-' or '+' && text.Length > 1 && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private void AppendField(ReadOnlySpan<char> value, bool neutralise)
    {
        var prefix = neutralise && LooksLikeFormula(value);
        var quote = prefix || value.IndexOfAny(_delimiter, '"', '\r') >= 0 || value.Contains('\n')
            || (!value.IsEmpty && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])));
        if (!quote)
        {
            _line.Append(value);
            return;
        }

        _line.Append('"');
        if (prefix)
        {
            _line.Append('\'');
        }

        foreach (var c in value)
        {
            if (c == '"')
            {
                _line.Append('"');
            }

            _line.Append(c);
        }

        _line.Append('"');
    }
}
