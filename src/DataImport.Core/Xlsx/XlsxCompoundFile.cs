using System.Buffers.Binary;

namespace DataImport.Xlsx;

/// <summary>What an OLE compound file (the container of legacy .xls files and of encrypted workbooks) holds.</summary>
internal enum XlsxCompoundFileKind
{
    /// <summary>Not a compound file.</summary>
    None,

    /// <summary>A compound file without an encrypted package: a legacy .xls, .doc or similar.</summary>
    Legacy,

    /// <summary>An encrypted OOXML package: a password-protected workbook (or one saved with Excel's default password).</summary>
    Encrypted,
}

/// <summary>
/// Tells an encrypted workbook from other files that are not zip archives. Excel encrypts a workbook by wrapping it in an
/// OLE compound file (signature D0 CF 11 E0 A1 B1 1A E1) whose directory has a stream named <c>EncryptedPackage</c>.
/// </summary>
internal static class XlsxCompoundFile
{
    private const int MaxDirectorySectors = 4096;
    private const uint EndOfChain = 0xFFFFFFFE;

    private static ReadOnlySpan<byte> Signature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private static ReadOnlySpan<byte> EncryptedPackageName => "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0\0\0"u8;

    /// <summary>Looks at a seekable stream from its position, which is restored.</summary>
    public static XlsxCompoundFileKind Probe(Stream seekable)
    {
        long start = seekable.Position;
        try
        {
            var header = new byte[512];
            if (ReadAt(seekable, start, header) < header.Length || !header.AsSpan(0, 8).SequenceEqual(Signature))
            {
                return XlsxCompoundFileKind.None;
            }

            return HasEncryptedPackage(seekable, start, header) ? XlsxCompoundFileKind.Encrypted : XlsxCompoundFileKind.Legacy;
        }
        catch (IOException)
        {
            return XlsxCompoundFileKind.None;
        }
        finally
        {
            seekable.Position = start;
        }
    }

    /// <summary>Follows the directory's sector chain (through the FAT the header and DIFAT sectors list) looking for the stream name.</summary>
    private static bool HasEncryptedPackage(Stream stream, long start, byte[] header)
    {
        int shift = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x1E));
        if (shift is not (9 or 12))
        {
            return false;
        }

        int sectorSize = 1 << shift;
        var fatSectors = new List<uint>();
        for (int i = 0; i < 109; i++)
        {
            fatSectors.Add(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x4C + (i * 4))));
        }

        var sector = new byte[sectorSize];
        uint difat = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x44));
        for (int hops = 0; difat < EndOfChain && hops < MaxDirectorySectors; hops++)
        {
            if (ReadSector(stream, start, sectorSize, difat, sector) < sectorSize)
            {
                break;
            }

            for (int i = 0; i < (sectorSize / 4) - 1; i++)
            {
                fatSectors.Add(BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(i * 4)));
            }

            difat = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(sectorSize - 4));
        }

        int perFatSector = sectorSize / 4;
        uint directory = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x30));
        var fat = new byte[sectorSize];
        for (int hops = 0; directory < EndOfChain && hops < MaxDirectorySectors; hops++)
        {
            if (ReadSector(stream, start, sectorSize, directory, sector) < sectorSize)
            {
                return false;
            }

            for (int entry = 0; entry < sectorSize; entry += 128)
            {
                if (sector.AsSpan(entry, EncryptedPackageName.Length).SequenceEqual(EncryptedPackageName))
                {
                    return true;
                }
            }

            int fatIndex = (int)(directory / (uint)perFatSector);
            if (fatIndex >= fatSectors.Count || fatSectors[fatIndex] >= EndOfChain
                || ReadSector(stream, start, sectorSize, fatSectors[fatIndex], fat) < sectorSize)
            {
                return false;
            }

            directory = BinaryPrimitives.ReadUInt32LittleEndian(fat.AsSpan((int)(directory % (uint)perFatSector) * 4));
        }

        return false;
    }

    private static int ReadSector(Stream stream, long start, int sectorSize, uint index, byte[] buffer)
    {
        long offset = start + ((index + 1L) * sectorSize);
        return offset + sectorSize > stream.Length ? 0 : ReadAt(stream, offset, buffer);
    }

    private static int ReadAt(Stream stream, long offset, byte[] buffer)
    {
        stream.Position = offset;
        int total = 0;
        int n;
        while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += n;
        }

        return total;
    }
}
