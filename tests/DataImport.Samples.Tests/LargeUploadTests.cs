using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace DataImport.Samples.Tests;

[CollectionDefinition(nameof(MemoryMeasured), DisableParallelization = true)]
public sealed class MemoryMeasured;

/// <summary>Measured alone: the heap is process-wide, so no other test may run beside it.</summary>
[Collection(nameof(MemoryMeasured))]
public sealed class LargeUploadTests(ITestOutputHelper output)
{
    private const long FileBytes = 40L * 1024 * 1024;

    [Fact]
    public async Task Import_40MbStreamedUpload_IsNotHeldInMemory()
    {
        await using var host = await WebApiTestHost.StartAsync();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var file = new GeneratedCsvContent(FileBytes);
        using var sampling = new CancellationTokenSource();
        long peak = 0;

        // Live heap (after a full collection) sampled while the upload runs: a buffered body would sit there whole.
        // Sampling stops once the whole body is sent: the queued job may start before the response and would be
        // measured too (a dry run holds the keys it has seen).
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !file.Sent)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                await Task.Delay(20);
            }

            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        });
        var (status, body) = await host.PostImportAsync(WebApiTestHost.ImportForm(file, "big.csv", fields: ("dryRun", "true")), "big");
        await sampling.CancelAsync();
        await sampler;

        status.Should().Be(200, body.ToString());
        file.Written.Should().BeGreaterThanOrEqualTo(FileBytes);
        var id = body.GetProperty("data").GetProperty("id").GetString()!;
        await host.SendAsync(host.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "big"));
        new FileInfo(Path.Combine(host.DataPath, "files", id + ".upload")).Length.Should().Be(file.Written);
        output.WriteLine($"live heap growth during a {FileBytes:N0}-byte upload: {peak:N0} bytes");
        peak.Should().BeLessThan(FileBytes / 4, "the upload streams to the file store; the live heap grew by {0:N0} bytes for a {1:N0}-byte file", peak, FileBytes);
    }

    /// <summary>A CSV written row by row as it is sent: no length, not seekable, never whole in memory.</summary>
    private sealed class GeneratedCsvContent(long size) : HttpContent
    {
        public long Written { get; private set; }

        public bool Sent { get; private set; }

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
            Sent = true;
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
