using DataImport.Reading;

namespace DataImport.Files;

/// <summary>Reads an upload through, counting its bytes, so its size is known however the file store copies it.</summary>
internal sealed class CountingReadStream(Stream inner) : ReadOnlyForwardStream
{
    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        BytesRead += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesRead += read;
        return read;
    }
}
