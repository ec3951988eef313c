using DataImport.Reading;

namespace DataImport.Xlsx;

/// <summary>
/// Read-only wrapper around a decompressing zip-entry stream that counts the bytes actually produced and
/// fails as soon as the part exceeds the size limit or the compression-ratio limit (zip-bomb protection
/// that does not trust the sizes declared in the zip directory).
/// </summary>
internal sealed class XlsxLimitedStream : ReadOnlyForwardStream
{
    /// <summary>The ratio limit is only enforced past this many decompressed bytes: small parts cannot be bombs.</summary>
    internal const long RatioGraceBytes = 1L << 20;

    private readonly Stream _inner;
    private readonly string _partName;
    private readonly long _maxBytes;
    private readonly long _compressedLength;
    private readonly double _maxRatio;
    private long _total;

    public XlsxLimitedStream(Stream inner, string partName, long maxBytes, long compressedLength, double maxRatio)
    {
        _inner = inner;
        _partName = partName;
        _maxBytes = maxBytes;
        _compressedLength = Math.Max(1, compressedLength);
        _maxRatio = maxRatio;
    }

    /// <summary>Gets the bytes decompressed so far.</summary>
    public override long Position
    {
        get => _total;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The part '{_partName}' of the XLSX file is corrupt and cannot be decompressed: {ex.Message}", ex);
        }

        Count(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count(n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Count(int n)
    {
        _total += n;
        if (_total > _maxBytes)
        {
            throw new InvalidDataException(
                $"The part '{_partName}' of the XLSX file decompresses to more than {_maxBytes:N0} bytes, over the MaxPartUncompressedBytes limit " +
                "(possible zip bomb). If the file is trusted, raise XlsxReaderOptions.MaxPartUncompressedBytes.");
        }

        if (_total > RatioGraceBytes && _total > _compressedLength * _maxRatio)
        {
            throw new InvalidDataException(
                $"The part '{_partName}' of the XLSX file decompresses to more than {_maxRatio:0.##} times its compressed size of {_compressedLength:N0} bytes, " +
                "over the MaxCompressionRatio limit (possible zip bomb). If the file is trusted, raise XlsxReaderOptions.MaxCompressionRatio.");
        }
    }
}
