using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DataImport.PostgreSql;

/// <summary>
/// Writes rows in PostgreSQL's binary <c>COPY</c> format (the PostgreSQL manual, <c>COPY</c>, "Binary Format") into a
/// buffer that goes to the server's <c>COPY</c> stream in pieces of about 64 KiB, between rows.
/// </summary>
/// <remarks>
/// Npgsql's typed importer resolves and binds a parameter for every value it writes, which was a third of the processor
/// time of an import into the sink; the sink's ten column types written here directly cost a fraction of that
/// (<c>benchmarks/README.md</c>, "PostgreSQL record sink"). Values are encoded as Npgsql encodes them: text as UTF-8
/// (invalid UTF-16 refused), integers and floats big-endian, a date as days and a timestamptz or time as microseconds
/// (timestamps from PostgreSQL's epoch, 2000-01-01 UTC, the finer ticks dropped), the smallest and largest .NET dates as
/// <c>-infinity</c> and <c>infinity</c> unless the host turned Npgsql's infinity conversions off, a uuid in RFC 4122 byte
/// order, and a numeric as base-10000 digits keeping the decimal's scale.
/// </remarks>
internal sealed class BinaryCopyWriter : IDisposable
{
    private const int FlushAt = 64 * 1024;
    private const long PostgresEpochTicks = 630_822_816_000_000_000L;
    private const short NumericPositive = 0x0000;
    private const short NumericNegative = 0x4000;

    // "PGCOPY\n\xff\r\n\0", then no flags and no header extension.
    private static readonly byte[] Header = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly bool InfinityConversions =
        !(AppContext.TryGetSwitch("Npgsql.DisableDateTimeInfinityConversions", out var disabled) && disabled);

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(FlushAt + 4096);
    private int _length;

    /// <summary>Gets a value indicating whether enough is buffered to send it (checked between rows).</summary>
    public bool ShouldFlush => _length >= FlushAt;

    /// <summary>Writes the file header; once, before the first row.</summary>
    public void WriteHeader() => Header.CopyTo(Reserve(Header.Length));

    /// <summary>Writes the end-of-data marker; once, after the last row.</summary>
    public void WriteTrailer() => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);

    /// <summary>Starts a row of <paramref name="fields"/> values.</summary>
    public void StartRow(int fields) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), checked((short)fields));

    public void WriteNull() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    public void WriteText(string value)
    {
        var span = Reserve(4 + Utf8.GetMaxByteCount(value.Length));
        var written = Utf8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, written);
        _length -= span.Length - 4 - written;
    }

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Field(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Field(8), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(Field(8), value);

    public void WriteBoolean(bool value) => Field(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteDate(DateOnly value) => WriteInt32(
        InfinityConversions && value == DateOnly.MinValue ? int.MinValue
        : InfinityConversions && value == DateOnly.MaxValue ? int.MaxValue
        : value.DayNumber - PostgresEpochDay);

    /// <summary>Writes a UTC time as a timestamptz.</summary>
    public void WriteTimestamp(DateTime utc) => WriteInt64(
        InfinityConversions && utc == DateTime.MinValue ? long.MinValue
        : InfinityConversions && utc == DateTime.MaxValue ? long.MaxValue
        : (utc.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);

    public void WriteTime(TimeOnly value) => WriteInt64(value.Ticks / TimeSpan.TicksPerMicrosecond);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Field(16), bigEndian: true, out _);

    /// <summary>
    /// Writes a decimal as a numeric: its digits in groups of four from the decimal point (base 10000), the weight of
    /// the first group, the sign and the scale. Zero groups at the end are left out, as PostgreSQL does.
    /// </summary>
    public void WriteNumeric(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];

        // Align the fraction on whole groups: 12.5 (scale 1) is 125000 in tenths of thousandths, groups 12 and 5000.
        var pad = (4 - (scale % 4)) % 4;
        for (var i = 0; i < pad; i++)
        {
            mantissa *= 10;
        }

        Span<short> groups = stackalloc short[10];
        var count = 0;

        // A 128-bit division is a call and a loop; most values (prices, amounts) fit 64 bits, divided by a multiply.
        while (mantissa > ulong.MaxValue)
        {
            groups[count++] = (short)(ulong)(mantissa % 10_000);
            mantissa /= 10_000;
        }

        for (var rest = (ulong)mantissa; rest != 0; rest /= 10_000)
        {
            groups[count++] = (short)(rest % 10_000);
        }

        var weight = count - ((scale + pad) / 4) - 1;
        var first = 0;
        while (first < count && groups[first] == 0)
        {
            first++;
        }

        var digits = count - first;
        var span = Field(8 + (2 * digits));
        BinaryPrimitives.WriteInt16BigEndian(span, (short)digits);
        BinaryPrimitives.WriteInt16BigEndian(span[2..], (short)(digits == 0 ? 0 : weight));
        BinaryPrimitives.WriteInt16BigEndian(span[4..], value < 0 ? NumericNegative : NumericPositive);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], (short)scale);
        for (var i = 0; i < digits; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(span[(8 + (2 * i))..], groups[count - 1 - i]);
        }
    }

    /// <summary>Sends what is buffered to the <c>COPY</c> stream.</summary>
    public async ValueTask FlushAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
            _length = 0;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>A field of <paramref name="size"/> bytes after its length.</summary>
    private Span<byte> Field(int size)
    {
        var span = Reserve(4 + size);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        return span[4..];
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            // A long text: the buffer grows to hold it, and is sent once the row ends.
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + size, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
