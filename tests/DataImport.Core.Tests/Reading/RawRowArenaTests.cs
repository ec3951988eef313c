using DataImport.Reading;

namespace DataImport.Tests.Reading;

/// <summary>A row's cells kept for conversion on another thread: copied once where the reader holds the row in one piece.</summary>
public sealed class RawRowArenaTests
{
    [Fact]
    public async Task AppendRow_CsvRows_KeepEveryCellAsTheReaderGivesIt()
    {
        // Plain, quoted (a comma, a line break), doubled quotes (unescaped by the reader outside the row), empty cells.
        var csv = "Name,Email,Note\nplain,\"a, b\",x\n\"say \"\"hi\"\"\",,\"two\nlines\"\n,\"\",\"\"\"\"\n"u8.ToArray();
        using var file = new TempFile(csv);
        await using var input = file.Open();
        using var counting = new CancellationTokenSource();
        var (source, _, estimate, _) = await TestEngine.Customers().Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        var arena = new RawRowArena();
        var expected = new List<string>();
        using (source)
        {
            while (source.Read())
            {
                source.RawRow.IsEmpty.Should().BeFalse("a CSV reader keeps the row in one piece");
                arena.AppendRow(source.RawRow, source, source.RowFieldCount);
                expected.AddRange(Enumerable.Range(0, source.RowFieldCount).Select(i => source.GetText(i).ToString()));
            }

            await counting.CancelAsync();
            await estimate!;
        }

        expected.Should().Equal("plain", "a, b", "x", "say \"hi\"", "", "two\nlines", "", "", "\"");
        Enumerable.Range(0, arena.FieldTotal).Select(i => arena.Field(i).ToString()).Should().Equal(expected);
    }
}
