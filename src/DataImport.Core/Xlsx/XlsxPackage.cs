using System.IO.Compression;
using System.Xml;
using DataImport.Reading;

namespace DataImport.Xlsx;

/// <summary>The zip container of an XLSX file: part lookup (case-insensitive, per OPC) and guarded part streams.</summary>
internal sealed class XlsxPackage : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly XlsxReaderOptions _options;

    private XlsxPackage(ZipArchive zip, XlsxReaderOptions options)
    {
        _zip = zip;
        _options = options;
        _entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in zip.Entries)
        {
            _entries.TryAdd(NormalizeName(entry.FullName), entry);
        }
    }

    /// <summary>Opens the zip container over a seekable stream.</summary>
    /// <exception cref="InvalidDataException">The stream is not a zip archive (an encrypted workbook is named as such).</exception>
    public static XlsxPackage Open(Stream seekable, XlsxReaderOptions options)
    {
        ZipArchive zip;
        long start = seekable.Position;
        try
        {
            zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException or NotSupportedException)
        {
            seekable.Position = start;
            if (XlsxCompoundFile.Probe(seekable) == XlsxCompoundFileKind.Encrypted)
            {
                throw new InvalidDataException(
                    "The workbook is password-protected (encrypted); save it without a password and upload it again.", ex);
            }

            throw new InvalidDataException(
                "The file is not a valid XLSX workbook (not a zip archive). Save it from the spreadsheet program as 'Excel Workbook (*.xlsx)'; " +
                "legacy .xls, .csv or .ods files are not XLSX.", ex);
        }

        try
        {
            return new XlsxPackage(zip, options);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            zip.Dispose();
            throw new InvalidDataException("The file is not a valid XLSX workbook (not a zip archive): its zip directory is corrupt.", ex);
        }
    }

    /// <summary>
    /// The declared uncompressed size from which a worksheet is inflated ahead: a thread's start costs about what
    /// inflating a few hundred kilobytes does, and small sheets are read in milliseconds either way.
    /// </summary>
    internal const long ReadAheadMinBytes = 1L << 20;

    public bool Exists(string partName) => _entries.ContainsKey(NormalizeName(partName));

    /// <summary>Opens a part for streaming reads, enforcing the declared and the actual size/ratio limits.</summary>
    /// <exception cref="InvalidDataException">The part is over a limit or cannot be opened.</exception>
    public Stream OpenPart(string partName)
    {
        if (!_entries.TryGetValue(NormalizeName(partName), out var entry))
        {
            throw new InvalidDataException($"The XLSX file has no part '{partName}'.");
        }

        long declared = entry.Length;
        long compressed = entry.CompressedLength;
        if (declared > _options.MaxPartUncompressedBytes)
        {
            throw new InvalidDataException(
                $"The part '{partName}' of the XLSX file declares {declared:N0} bytes uncompressed, over the MaxPartUncompressedBytes limit of " +
                $"{_options.MaxPartUncompressedBytes:N0} bytes (possible zip bomb). If the file is trusted, raise XlsxReaderOptions.MaxPartUncompressedBytes.");
        }

        if (declared > XlsxLimitedStream.RatioGraceBytes && declared > Math.Max(1, compressed) * _options.MaxCompressionRatio)
        {
            throw new InvalidDataException(
                $"The part '{partName}' of the XLSX file declares a compression ratio of {declared / (double)Math.Max(1, compressed):0.#} : 1, over the " +
                $"MaxCompressionRatio limit of {_options.MaxCompressionRatio:0.##} : 1 (possible zip bomb). If the file is trusted, raise XlsxReaderOptions.MaxCompressionRatio.");
        }

        Stream raw;
        try
        {
            raw = entry.Open();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            throw new InvalidDataException($"The part '{partName}' of the XLSX file cannot be opened: {ex.Message}", ex);
        }

        return new XlsxLimitedStream(raw, partName, _options.MaxPartUncompressedBytes, compressed, _options.MaxCompressionRatio);
    }

    /// <summary>Creates a hardened XmlReader (no DTD, no external resolution) over a part.</summary>
    public XmlReader OpenXml(string partName, XmlNameTable nameTable) => XmlReader.Create(OpenBuffered(partName), CreateSettings(nameTable));

    /// <summary>
    /// Creates a hardened XmlReader over a worksheet part, inflated on a second thread (<see cref="ReadAheadStream"/>)
    /// when the options allow it, the machine has more than one processor and the part is large enough to pay for the
    /// thread. Before the package is used again (another part opened), the read-ahead must be stopped:
    /// <paramref name="readAhead"/> is the stream to stop, or <see langword="null"/>.
    /// </summary>
    public XmlReader OpenSheetXml(string partName, XmlNameTable nameTable, out ReadAheadStream? readAhead)
    {
        readAhead = null;
        if (!_options.ReadAhead || Environment.ProcessorCount < 2
            || !_entries.TryGetValue(NormalizeName(partName), out var entry) || entry.Length < ReadAheadMinBytes)
        {
            return OpenXml(partName, nameTable);
        }

        readAhead = new ReadAheadStream(OpenPart(partName));
        return XmlReader.Create(readAhead, CreateSettings(nameTable));
    }

    // Large reads from the decompressor are cheaper than the XmlReader's small (4 KiB) ones.
    private BufferedStream OpenBuffered(string partName) => new(OpenPart(partName), 1 << 16);

    public static XmlReaderSettings CreateSettings(XmlNameTable nameTable) => new()
    {
        NameTable = nameTable,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CheckCharacters = false,
        CloseInput = true,
        MaxCharactersFromEntities = 1024,
    };

    /// <summary>
    /// The error for a part the XML reader refused. A DTD is named as such: the reader's own message advises the
    /// developer to enable DTD processing, which is neither for the person uploading the file nor safe.
    /// </summary>
    public InvalidDataException NotWellFormed(string kind, string partName, XmlException ex) => HasDoctype(partName)
        ? new InvalidDataException($"The {kind} part '{partName}' of the XLSX file contains a DTD (a document type declaration), which is not allowed in a workbook; the file was not read.", ex)
        : new InvalidDataException($"The {kind} part '{partName}' of the XLSX file is not well-formed XML: {ex.Message}", ex);

    public void Dispose() => _zip.Dispose();

    /// <summary>Looks for a document type declaration in the part's prolog (the first bytes; NULs dropped, so UTF-16 is seen too).</summary>
    private bool HasDoctype(string partName)
    {
        try
        {
            using var stream = OpenPart(partName);
            var buffer = new byte[4096];
            int total = 0;
            int n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += n;
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, total).Replace("\0", string.Empty, StringComparison.Ordinal);
            return text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return false;
        }
    }

    /// <summary>Normalizes a part name: no leading slash, forward slashes, "." and ".." segments resolved.</summary>
    public static string NormalizeName(string name)
    {
        name = name.Replace('\\', '/');
        if (!name.Contains("./", StringComparison.Ordinal) && !name.StartsWith('/'))
        {
            return name;
        }

        var parts = new List<string>();
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(segment);
        }

        return string.Join('/', parts);
    }

    /// <summary>Resolves a relationship target against the folder of the source part; absolute targets start at the package root.</summary>
    public static string ResolveTarget(string sourcePart, string target)
    {
        target = Uri.UnescapeDataString(target.Replace('\\', '/'));
        if (target.StartsWith('/'))
        {
            return NormalizeName(target);
        }

        int slash = sourcePart.LastIndexOf('/');
        string folder = slash < 0 ? string.Empty : sourcePart[..(slash + 1)];
        return NormalizeName(folder + target);
    }
}
