using DataImport.Reading;
using FluentAssertions;

namespace DataImport.Tests.Reading;

/// <summary><see cref="ReadAheadStream"/>: the inner stream's bytes in order, its failures where they happened, a clean stop.</summary>
public sealed class ReadAheadStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(200_000)]
    public void Read_AnySize_GivesTheInnerBytesInOrder(int readSize)
    {
        var data = Bytes(1_300_007);
        using var stream = new ReadAheadStream(new MemoryStream(data), bufferSize: 65536);

        ReadAll(stream, readSize).Should().Equal(data);
        stream.Read(new byte[10]).Should().Be(0, "the end stays the end");
    }

    [Fact]
    public async Task ReadAsync_GivesTheInnerBytesInOrder()
    {
        var data = Bytes(500_001);
        await using var stream = new ReadAheadStream(new MemoryStream(data), bufferSize: 4096);
        using var copy = new MemoryStream();

        await stream.CopyToAsync(copy, 3000);

        copy.ToArray().Should().Equal(data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void Read_InnerFailsAfterSomeBytes_EveryByteBeforeThenTheSameException(int failAfter)
    {
        var data = Bytes(200_000);
        using var stream = new ReadAheadStream(new FailingStream(data, failAfter), bufferSize: 4096);
        using var received = new MemoryStream();
        var buffer = new byte[1000];

        var act = () =>
        {
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        };

        act.Should().Throw<InvalidDataException>().WithMessage("corrupt at byte " + failAfter);
        received.ToArray().Should().Equal(data.AsSpan(0, failAfter).ToArray());
    }

    [Fact]
    public void Dispose_MidStream_StopsReadingTheInnerStreamAndDisposesIt()
    {
        var inner = new CountingStream(Bytes(10_000_000));
        var stream = new ReadAheadStream(inner, bufferSize: 4096);
        stream.Read(new byte[100]).Should().Be(100);

        stream.Dispose();
        var readWhenDisposed = inner.BytesRead;

        inner.Disposed.Should().BeTrue();
        readWhenDisposed.Should().BeLessThan(10 * 4096, "it reads at most its four buffers ahead");
        var act = () => stream.Read(new byte[10]);
        act.Should().Throw<ObjectDisposedException>();
    }

    private static byte[] Bytes(int length)
    {
        var data = new byte[length];
        new Random(42).NextBytes(data);
        return data;
    }

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, n);
        }

        return copy.ToArray();
    }

    /// <summary>Gives its bytes in uneven pieces, then fails at a given byte as a corrupt zip entry does.</summary>
    private sealed class FailingStream(byte[] data, int failAfter) : ReadOnlyForwardStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAfter)
            {
                throw new InvalidDataException("corrupt at byte " + failAfter);
            }

            var n = Math.Min(Math.Min(buffer.Length, 1500), failAfter - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }

    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        private long _bytesRead;

        public long BytesRead => Interlocked.Read(ref _bytesRead);

        public bool Disposed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            Interlocked.Add(ref _bytesRead, n);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
