using System.Security.Cryptography;
using System.Text.Unicode;

namespace DataImport.PostgreSql.Tests.Files;

/// <summary>
/// CSV rows made as they are read, up to an exact length (the last row is cut there): not seekable, no length, never
/// whole in memory. The SHA-256 of what it produced is computed on the way.
/// </summary>
internal sealed class GeneratedCsvStream(long size) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _row = new byte[256];
    private int _rowLength;
    private int _rowPosition;
    private long _rowNumber;
    private byte[]? _final;

    public long Produced { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The SHA-256 of the bytes produced so far; kept when the stream is disposed (HttpClient disposes what it sent).</summary>
    public byte[] Hash() => _final ?? _hash.GetCurrentHash();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var filled = 0;
        while (filled < buffer.Length && Produced < size)
        {
            if (_rowPosition == _rowLength)
            {
                NextRow();
            }

            var count = (int)Math.Min(Math.Min(buffer.Length - filled, _rowLength - _rowPosition), size - Produced);
            _row.AsSpan(_rowPosition, count).CopyTo(buffer[filled..]);
            _rowPosition += count;
            filled += count;
            Produced += count;
        }

        _hash.AppendData(buffer[..filled]);
        return filled;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _final ??= _hash.GetCurrentHash();
        _hash.Dispose();
        base.Dispose(disposing);
    }

    private void NextRow()
    {
        var n = ++_rowNumber;
        var written = n == 1
            ? Utf8.TryWrite(_row, $"Name,Email,Balance,Born,Joined,Active,Tier\r\n", out _rowLength)
            : Utf8.TryWrite(_row, $"Person {n},person.{n}@example.com,{n % 1000}.25,19{n % 90 + 10}-0{n % 9 + 1}-1{n % 10},2024-05-06 07:08,{(n % 2 == 0 ? "true" : "false")},{(n % 3 == 0 ? "Gold" : "Silver")}\r\n", out _rowLength);
        written.Should().BeTrue();
        _rowPosition = 0;
    }
}
