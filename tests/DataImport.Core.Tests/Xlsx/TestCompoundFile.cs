using System.Buffers.Binary;
using System.Text;

namespace DataImport.Tests.Xlsx;

/// <summary>
/// Test-only OLE compound file (the container of legacy .xls files and of encrypted workbooks) with 512-byte sectors:
/// a header, one FAT sector and a directory of the given entry names, four to a sector, chained through the FAT.
/// The streams themselves are not written: readers that only look at the directory need none.
/// </summary>
internal static class TestCompoundFile
{
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint Free = 0xFFFFFFFF;

    /// <summary>Excel's encrypted workbook: EncryptedPackage sits in the second directory sector.</summary>
    public static byte[] EncryptedWorkbook() =>
        Build("Root Entry", "\u0006DataSpaces", "DataSpaceMap", "DataSpaceInfo", "EncryptedPackage", "EncryptionInfo");

    /// <summary>A legacy .xls: a Workbook stream and summary information, no EncryptedPackage.</summary>
    public static byte[] LegacyWorkbook() => Build("Root Entry", "Workbook", "\u0005SummaryInformation");

    public static byte[] Build(params string[] names)
    {
        int directorySectors = (names.Length + 3) / 4;
        var file = new byte[512 * (2 + directorySectors)];
        var header = file.AsSpan(0, 512);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 0x3E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1C..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1E..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x2C..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x30..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x38..], 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], EndOfChain);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], EndOfChain);
        for (int i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i == 0 ? 0 : Free);
        }

        // Sector 0 is the FAT; sectors 1.. the directory chain.
        var fat = file.AsSpan(512, 512);
        for (int i = 0; i < 128; i++)
        {
            uint next = i == 0 ? 0xFFFFFFFD : i >= 1 && i <= directorySectors ? (i == directorySectors ? EndOfChain : (uint)(i + 1)) : Free;
            BinaryPrimitives.WriteUInt32LittleEndian(fat[(i * 4)..], next);
        }

        for (int i = 0; i < names.Length; i++)
        {
            var entry = file.AsSpan(1024 + (i * 128), 128);
            var name = Encoding.Unicode.GetBytes(names[i] + "\0");
            name.CopyTo(entry);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[0x40..], (ushort)name.Length);
            entry[0x42] = (byte)(i == 0 ? 5 : 2);
        }

        return file;
    }
}
