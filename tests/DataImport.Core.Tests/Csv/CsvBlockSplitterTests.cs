using System.Buffers;
using System.Text;
using DataImport.Csv;

namespace DataImport.Tests.Csv;

/// <summary>
/// The cut of CSV text into blocks for the converting threads: every char in exactly one block, in order; each block
/// holding the records its line breaks outside quotes count; cut only after a break Sylvan surely ends a record at.
/// </summary>
public sealed class CsvBlockSplitterTests
{
    [Theory]
    [InlineData("\n", 1)]
    [InlineData("\r\n", 2)]
    [InlineData("\r", 3)]
    [InlineData("\n", 4)]
    [InlineData("\r", 5)]
    public void Next_RandomText_CutsIntoBlocksThatHoldWhatTheirBreaksCount(string headerBreak, int seed)
    {
        // Quotes, CRs, LFs and CRLFs in any mix, in and out of quotes, in runs long enough for the 64-char vector scan.
        var random = new Random(seed);
        string[] pieces = ["a", "bcd", ",", "\"", "\"\"", "\n", "\r", "\r\n", "é", new string('x', 70), "\"q,\nq\""];
        var text = new StringBuilder();
        while (text.Length < 20_000)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        var all = text.ToString();
        var splitter = new CsvBlockSplitter(new StringReader(all[300..]), all.AsSpan(0, 300), invalidBytes: null, maxRecords: 7, blockChars: 256, maxRecordChars: 1 << 20, headerBreak);
        var blocks = new List<string>();
        while (true)
        {
            var status = splitter.Next(out var block, out var length, out var records);
            if (status == CsvBlockStatus.End)
            {
                break;
            }

            status.Should().Be(CsvBlockStatus.Block);
            var piece = new string(block, 0, length);
            ArrayPool<char>.Shared.Return(block);
            var last = blocks.Sum(b => b.Length) + piece.Length == all.Length;
            records.Should().Be(Records(piece, last), $"block {blocks.Count}");
            if (!last && records > 7)
            {
                // More only where the block has no earlier place to cut (breaks Sylvan may take for text in a row).
                CutPlaces(piece[..^1], headerBreak).Should().Be(0, $"block {blocks.Count}");
            }
            if (!last)
            {
                // Ended by the break the header's says Sylvan searches for, outside quotes.
                (piece.Count(c => c == '"') % 2).Should().Be(0);
                if (headerBreak == "\r")
                {
                    piece.Should().EndWith("\r");
                }
                else
                {
                    piece.Should().EndWith("\n");
                }
            }

            blocks.Add(piece);
        }

        string.Concat(blocks).Should().Be(all);
    }

    [Fact]
    public void Next_RecordLongerThanTheBuffer_IsOneBlock()
    {
        var all = "a,b\n" + new string('x', 5000) + "\nc,d\n";
        var splitter = new CsvBlockSplitter(new StringReader(all), [], invalidBytes: null, maxRecords: 256, blockChars: 256, maxRecordChars: 1 << 20, "\n");

        var lengths = new List<(int Length, int Records)>();
        while (splitter.Next(out var block, out var length, out var records) == CsvBlockStatus.Block)
        {
            lengths.Add((length, records));
            ArrayPool<char>.Shared.Return(block);
        }

        lengths.Sum(l => l.Length).Should().Be(all.Length);
        lengths.Sum(l => l.Records).Should().Be(3);
    }

    [Fact]
    public void Next_RecordLongerThanTheLimit_LeavesTheRestToOneReader()
    {
        var all = "a,b\n\"" + new string('x', 5000);
        var splitter = new CsvBlockSplitter(new StringReader(all), [], invalidBytes: null, maxRecords: 256, blockChars: 256, maxRecordChars: 1000, "\n");

        splitter.Next(out var block, out var length, out _).Should().Be(CsvBlockStatus.Block);
        new string(block, 0, length).Should().Be("a,b\n");
        splitter.Next(out _, out _, out _).Should().Be(CsvBlockStatus.ReadRestInOne);
        (splitter.TakeRest() + splitter.Text.ReadToEnd()).Should().Be(all[4..]);
    }

    /// <summary>The places a block may be cut at: after an LF, or after a lone CR where the header ends with one; outside quotes.</summary>
    private static int CutPlaces(string text, string headerBreak)
    {
        var places = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            quoted ^= c == '"';
            var lone = c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n');
            if (!quoted && (headerBreak == "\r" ? lone : c == '\n'))
            {
                places++;
            }
        }

        return places;
    }

    /// <summary>The records a block holds, by the plain rule: each break outside quotes (a CRLF one), and a last record at the end of the text.</summary>
    private static int Records(string block, bool last)
    {
        var records = 0;
        var quoted = false;
        var afterBreak = 0;
        for (var i = 0; i < block.Length; i++)
        {
            var c = block[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (c == '\n' || (c == '\r' && (i + 1 == block.Length || block[i + 1] != '\n'))))
            {
                records++;
                afterBreak = i + 1;
            }
        }

        return records + (last && afterBreak < block.Length ? 1 : 0);
    }
}
