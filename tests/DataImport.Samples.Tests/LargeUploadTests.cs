using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DataImport.Samples.Tests;

/// <summary>
/// A large upload streams to the file store. Measured as the bytes the host has taken from the request body but not yet
/// written to an upload file: streaming keeps that to a few buffers whatever the size, and holding the upload (in a
/// MemoryStream, a byte array, a buffered form) makes it the whole upload. Unlike the live heap, it does not move with the
/// garbage collector or with what else the process is doing.
/// </summary>
public sealed class LargeUploadTests(ITestOutputHelper output)
{
    private const long FileBytes = 40L * 1024 * 1024;

    /// <summary>The most bytes in flight allowed: far above the reader's and the store's buffers, a tenth of the upload.</summary>
    private const long MaxBytesInFlight = FileBytes / 10;

    [Fact]
    public async Task Import_40MbStreamedUpload_IsNotHeldInMemory()
    {
        BodyInFlight? inFlight = null;
        await using var host = await WebApiTestHost.StartAsync(builder =>
        {
            inFlight = new BodyInFlight(Path.Combine(builder.Configuration["DataImport:DataPath"]!, "files"));
            builder.Services.AddSingleton<IStartupFilter>(inFlight);
        });
        var file = new GeneratedCsvContent(FileBytes);

        var (status, body) = await host.PostImportAsync(WebApiTestHost.ImportForm(file, "big.csv", fields: ("dryRun", "true")), "big");

        status.Should().Be(200, body.ToString());
        file.Written.Should().BeGreaterThanOrEqualTo(FileBytes);
        inFlight!.BodyBytesRead.Should().BeGreaterThan(FileBytes, "the whole body went through the measured stream");
        var id = body.GetProperty("data").GetProperty("id").GetString()!;
        await host.SendAsync(host.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "big"));
        new FileInfo(Path.Combine(host.DataPath, "files", id + ".upload")).Length.Should().Be(file.Written);
        output.WriteLine($"most body bytes not yet in an upload file during a {FileBytes:N0}-byte upload: {inFlight.MaxBytesInFlight:N0}");
        inFlight.MaxBytesInFlight.Should().BeLessThan(MaxBytesInFlight, "the upload streams to the file store; {0:N0} bytes of a {1:N0}-byte file were read and held", inFlight.MaxBytesInFlight, FileBytes);
    }

    /// <summary>
    /// Wraps each request body in a stream that counts what the host reads and, every 256 KiB and at the end, compares it
    /// with the size of the upload files in the store's folder.
    /// </summary>
    private sealed class BodyInFlight(string filesFolder) : IStartupFilter
    {
        private const long Step = 256 * 1024;

        public long BodyBytesRead { get; private set; }

        public long MaxBytesInFlight { get; private set; }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (HttpMethods.IsPost(context.Request.Method))
                {
                    context.Request.Body = new CountingStream(context.Request.Body, this);
                }

                await nextMiddleware(context);
            });
            next(app);
        };

        private void Observe(int read)
        {
            var before = BodyBytesRead;
            BodyBytesRead += read;
            if (read == 0 || before / Step != BodyBytesRead / Step)
            {
                MaxBytesInFlight = Math.Max(MaxBytesInFlight, BodyBytesRead - UploadBytes());
            }
        }

        private long UploadBytes()
        {
            if (!Directory.Exists(filesFolder))
            {
                return 0;
            }

            long total = 0;
            foreach (var path in Directory.EnumerateFiles(filesFolder, "*.upload"))
            {
                try
                {
                    total += new FileInfo(path).Length;
                }
                catch (FileNotFoundException)
                {
                }
            }

            return total;
        }

        private sealed class CountingStream(Stream inner, BodyInFlight counter) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                Count(await inner.ReadAsync(buffer, cancellationToken));

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            private int Count(int read)
            {
                counter.Observe(read);
                return read;
            }
        }
    }

    /// <summary>A CSV written row by row as it is sent: no length, not seekable, never whole in memory.</summary>
    private sealed class GeneratedCsvContent(long size) : HttpContent
    {
        public long Written { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new StringBuilder();
            var row = 0;
            await WriteAsync(stream, "Name,Email,Balance,Born,Joined,Active,Tier\r\n");
            while (Written < size)
            {
                chunk.Clear();
                while (chunk.Length < 64 * 1024)
                {
                    row++;
                    chunk.Append("Person ").Append(row).Append(",person.").Append(row).Append("@example.com,").Append(row % 1000).Append(".25,1980-01-02,2024-05-06 07:08,true,Gold\r\n");
                }

                await WriteAsync(stream, chunk.ToString());
            }

            await stream.FlushAsync();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private async Task WriteAsync(Stream stream, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await stream.WriteAsync(bytes);
            Written += bytes.Length;
        }
    }
}
