using System.Text;

namespace DataImport.Tests.Pipeline;

/// <summary>An error the import cannot explain ends the job with a sentence pointing to the log, never with the exception's own text.</summary>
public sealed class UnexpectedErrorTests
{
    [Fact]
    public async Task Import_FileStreamFailsMidRead_SaysTheFileCouldNotBeReadWithoutTheSystemsText()
    {
        var csv = Encoding.UTF8.GetBytes(JobsCsv(200));
        await using var input = new FailingStream(csv, failAfter: 64);

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input), new InMemoryImportSink<Customer>());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The file could not be read; the details are in the server log (job {job.Id}).");
        job.Failure!.Code.Should().Be(ImportProblemCodes.InvalidFile);
    }

    [Fact]
    public async Task Import_SinkLookupThrowsProviderError_SaysTheImportStoppedWithoutTheProvidersText()
    {
        await using var input = new MemoryStream(Encoding.UTF8.GetBytes(JobsCsv(3)));

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input), new Jobs.LockedDatabaseSink());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be($"The import stopped unexpectedly; the details are in the server log (job {job.Id}).");
        job.Message.Should().NotContain("SQLite");
    }

    private static string JobsCsv(int rows) => Jobs.JobTestHost.CustomersCsv(rows);

    /// <summary>A stream whose device fails after some bytes, as a network share that went away.</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => _inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_inner.Position >= failAfter)
            {
                throw new IOException("Input/output error: 'share/uploads/customers.csv'");
            }

            return _inner.Read(buffer, offset, Math.Min(count, failAfter - (int)_inner.Position));
        }

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
