using System.Text;
using DataImport.Files;
using DataImport.Tests.Jobs;

namespace DataImport.Tests.Files;

public sealed class LocalImportFileStoreTests : IDisposable
{
    private readonly string _folder = JobTestHost.NewFolder();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task OpenNotImportedForWriteAsync_Resuming_CutsFileBackToCheckpointLength()
    {
        var store = new LocalImportFileStore(_folder);
        await using (var first = await store.OpenNotImportedForWriteAsync("job-1", 0, default))
        {
            await first.WriteAsync(Encoding.UTF8.GetBytes("header\r\nrow 2\r\nrow 3 after the checkpoint\r\n"));
        }

        await using (var resumed = await store.OpenNotImportedForWriteAsync("job-1", "header\r\nrow 2\r\n".Length, default))
        {
            resumed.Position.Should().Be(resumed.Length);
            await resumed.WriteAsync(Encoding.UTF8.GetBytes("row 3\r\n"));
        }

        await using var read = (await store.OpenNotImportedAsync("job-1", default))!;
        (await new StreamReader(read).ReadToEndAsync()).Should().Be("header\r\nrow 2\r\nrow 3\r\n");
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData("a/b")]
    public async Task OpenUploadAsync_IdThatIsAPath_IsRefused(string fileId)
    {
        var store = new LocalImportFileStore(_folder);

        var act = async () => await store.OpenUploadAsync(fileId, default);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task SaveUploadAsync_StreamLargerThanLimit_ThrowsAndDeletesThePartialFile()
    {
        var store = new LocalImportFileStore(_folder);

        var act = async () => await store.SaveUploadAsync("job-1", new MemoryStream(new byte[200_000]), 100_000, default);

        await act.Should().ThrowAsync<ImportFileTooLargeException>().WithMessage("*100,000 bytes*");
        Directory.GetFiles(_folder).Should().BeEmpty();
        (await store.OpenUploadAsync("job-1.upload", default)).Should().BeNull();
    }
}
