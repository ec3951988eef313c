using System.Text;
using Sylvan.Data.Csv;

namespace DataImport.Csv;

/// <summary>
/// Decodes bytes that are not valid in the file's encoding to a marker character instead of throwing, and notes that it did.
/// </summary>
/// <remarks>
/// A throwing decoder fails while the text reader decodes ahead (tens of thousands of characters at a time), before the
/// rows already decoded are handed out, and with no way to say where the bad byte is. With the marker the parser hands
/// out every complete row before it, and the row source names the row and column that hold it (<see cref="FindInRow"/>).
/// </remarks>
internal sealed class CsvInvalidBytes : DecoderFallback
{
    /// <summary>
    /// A Unicode noncharacter, which the standard reserves for a program's internal use (so no text file holds it, and
    /// unlike a lone surrogate the decoder accepts it from a fallback).
    /// </summary>
    public const char Marker = '\uFDD0';

    private CsvInvalidBytes(string encodingName) => EncodingName = encodingName;

    /// <summary>Gets a value indicating whether a bad byte has been decoded (on the thread that reads the file).</summary>
    public bool Seen { get; private set; }

    /// <summary>Gets the encoding's name as a user knows it: UTF-8, UTF-16, …</summary>
    public string EncodingName { get; }

    /// <inheritdoc/>
    public override int MaxCharCount => 1;

    /// <summary>
    /// The encoding to decode the file with: a strict one (which would throw) marks bad bytes instead; a lenient one, such
    /// as a declared single-byte code page, is kept as it is and <paramref name="marker"/> is <see langword="null"/>.
    /// </summary>
    public static Encoding Marking(Encoding encoding, out CsvInvalidBytes? marker)
    {
        if (encoding.DecoderFallback is not DecoderExceptionFallback)
        {
            marker = null;
            return encoding;
        }

        var name = encoding switch
        {
            UTF8Encoding => "UTF-8",
            UnicodeEncoding => "UTF-16",
            UTF32Encoding => "UTF-32",
            _ => encoding.WebName,
        };
        marker = new CsvInvalidBytes(name);
        var marking = (Encoding)encoding.Clone();
        marking.DecoderFallback = marker;
        return marking;
    }

    /// <summary>The 0-based field of the reader's current row that holds a marker, or -1.</summary>
    public static int FindInRow(CsvDataReader reader)
    {
        var count = reader.RowFieldCount;
        for (var i = 0; i < count; i++)
        {
            if (reader.GetFieldSpan(i).Contains(Marker))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The failure for a row holding a bad byte, in the <see cref="ImportFileException"/> the engine fails a job with.</summary>
    public ImportFileException Failure(int row, int column) => ImportFileException.At(
        row, column, $"Row {row}, column {column}: the file is not valid {EncodingName} text. Save it as UTF-8, or give its encoding (e.g. windows-1252).");

    /// <inheritdoc/>
    public override DecoderFallbackBuffer CreateFallbackBuffer() => new MarkerBuffer(this);

    private sealed class MarkerBuffer(CsvInvalidBytes owner) : DecoderFallbackBuffer
    {
        private int _remaining;

        public override int Remaining => _remaining;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            owner.Seen = true;
            _remaining = 1;
            return true;
        }

        public override char GetNextChar()
        {
            if (_remaining == 0)
            {
                return '\0';
            }

            _remaining--;
            return Marker;
        }

        public override bool MovePrevious()
        {
            if (_remaining != 0)
            {
                return false;
            }

            _remaining = 1;
            return true;
        }

        public override void Reset() => _remaining = 0;
    }
}
