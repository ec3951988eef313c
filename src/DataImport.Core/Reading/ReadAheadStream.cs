using System.Runtime.ExceptionServices;

namespace DataImport.Reading;

/// <summary>
/// Reads an inner stream on a dedicated thread into a few fixed buffers, a few hundred kilobytes ahead of the reader:
/// an XLSX worksheet is inflated on one core while its XML is parsed on another. Memory is the buffers, whatever the
/// stream's length. An exception of the inner stream (a corrupt part, a limit crossed) is thrown to the reader at the
/// point of the stream where it happened, with its own type and message.
/// </summary>
/// <remarks>
/// Only the background thread touches the inner stream until it has stopped: <see cref="StopReading"/> (and
/// <see cref="Dispose(bool)"/>) wait for it, so the caller may then use what the inner stream reads from (the zip
/// archive's file) again.
/// </remarks>
internal sealed class ReadAheadStream : ReadOnlyForwardStream
{
    private const int BufferCount = 4;

    private readonly Stream _inner;
    private readonly byte[][] _buffers = new byte[BufferCount][];
    private readonly int[] _lengths = new int[BufferCount];
    private readonly SemaphoreSlim _free = new(BufferCount, BufferCount);
    private readonly SemaphoreSlim _filled = new(0, BufferCount);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _failure;
    private int _readIndex;
    private int _readOffset;
    private bool _ended;
    private bool _stopped;

    /// <param name="inner">The stream to read ahead; disposed with this one.</param>
    /// <param name="bufferSize">The size of each of the four buffers.</param>
    public ReadAheadStream(Stream inner, int bufferSize = 1 << 16)
    {
        _inner = inner;
        for (var i = 0; i < BufferCount; i++)
        {
            _buffers[i] = new byte[bufferSize];
        }

        _thread = new Thread(Fill) { IsBackground = true, Name = "DataImport read-ahead" };
        _thread.Start();
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _ended)
        {
            return 0;
        }

        ObjectDisposedException.ThrowIf(_stopped, this);
        _filled.Wait();
        return Take(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _ended)
        {
            return 0;
        }

        ObjectDisposedException.ThrowIf(_stopped, this);
        await _filled.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Take(buffer.Span);
    }

    /// <summary>Stops the background thread and waits for it; later reads fail. Safe to call more than once.</summary>
    public void StopReading()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _stop.Cancel();
        _thread.Join();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopReading();
            _inner.Dispose();
            _stop.Dispose();
            _free.Dispose();
            _filled.Dispose();
        }

        base.Dispose(disposing);
    }

    // Holds one filled buffer (signalled by _filled); gives back as much as fits and keeps the buffer while it has more.
    private int Take(Span<byte> destination)
    {
        var length = _lengths[_readIndex];
        if (length == 0)
        {
            // The end of the stream, or the inner stream failed here.
            _ended = true;
            _failure?.Throw();
            return 0;
        }

        var n = Math.Min(destination.Length, length - _readOffset);
        _buffers[_readIndex].AsSpan(_readOffset, n).CopyTo(destination);
        _readOffset += n;
        if (_readOffset < length)
        {
            // Data remains in this buffer: it stays held (put the signal back for the next read).
            _filled.Release();
        }
        else
        {
            _readOffset = 0;
            _readIndex = (_readIndex + 1) % BufferCount;
            _free.Release();
        }

        return n;
    }

    private void Fill()
    {
        var index = 0;
        try
        {
            while (true)
            {
                _free.Wait(_stop.Token);

                // After a failure, an empty buffer carries it to the reader (Take), behind the bytes read before it.
                var length = _failure is null ? FillBuffer(_buffers[index]) : 0;
                _lengths[index] = length;
                _filled.Release();
                if (length == 0)
                {
                    return;
                }

                index = (index + 1) % BufferCount;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped by the reader.
        }
    }

    /// <summary>Reads until the buffer is full or the stream ends; a failure is kept in <see cref="_failure"/>, with the bytes read before it returned.</summary>
    private int FillBuffer(byte[] buffer)
    {
        var length = 0;
        try
        {
            int n;
            while (length < buffer.Length && (n = _inner.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += n;
            }
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
        }

        return length;
    }
}
