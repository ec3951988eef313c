using DataImport.Reading;

namespace DataImport.Csv;

/// <summary>A read-only stream that replays bytes already read from the start of another stream, then continues with it.</summary>
internal sealed class PrefixedStream : ReadOnlyForwardStream
{
    private readonly byte[] _prefix;
    private readonly Stream _inner;
    private int _position;

    public PrefixedStream(byte[] prefix, Stream inner)
    {
        _prefix = prefix;
        _inner = inner;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position < _prefix.Length)
        {
            var n = Math.Min(buffer.Length, _prefix.Length - _position);
            _prefix.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        return _inner.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < _prefix.Length)
        {
            return Read(buffer.Span);
        }

        return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }
}
