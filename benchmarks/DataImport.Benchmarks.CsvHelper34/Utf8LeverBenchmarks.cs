using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using Sylvan.Data.Csv;

namespace DataImport.Benchmarks;

/// <summary>
/// Issue 14's first lever, measured before it is built: what parsing and converting the sales file costs over UTF-8
/// bytes (CsvHelper 34's reader, values converted straight from its byte spans) against the same conversions over
/// UTF-16 chars (Sylvan, as the engine reads today). Both sides run the same algorithms (the engine's fast paths: a
/// sampled-hash string pool, plain decimals, <c>M/d/yyyy</c> dates, integers), written once for bytes and once for
/// chars, and build one <see cref="SalesRecord"/> per row, on one thread; no validation, outcomes or batches (the
/// engine's one-thread row, run alongside, has those). The difference between the two prototype rows is what the
/// lever can give the engine at most.
/// </summary>
[MemoryDiagnoser]
public class Utf8LeverBenchmarks
{
    private ImportEngine _oneThread = null!;
    private string _path = null!;

    [Params(1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = DataFiles.SalesCsv(Rows);
        _oneThread = Engines.Create(readAhead: false, degree: 1);
    }

    [Benchmark(Baseline = true, Description = "c) CH34 GetRecords")]
    public long GetRecords()
    {
        using var csv = CsvReader.Create(Sizes.OpenFile(_path), CsvHelper34Reading.Options);
        long count = 0;
        foreach (var record in csv.GetRecords<SalesRecord>())
        {
            count += record is null ? 0 : 1;
        }

        return Check(count);
    }

    [Benchmark(Description = "d) Engine POCO CreateOnly, one thread")]
    public Task<long> EngineOneThread() => Engines.ImportAsync<SalesRecord>(_oneThread, Engines.Sales, _path, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "f) Prototype: UTF-8 (CH34 reader, conversion from bytes)")]
    public long Utf8()
    {
        using var csv = CsvReader.Create(Sizes.OpenFile(_path), CsvHelper34Reading.Options);
        var pool = new Pool();
        long count = 0;
        while (csv.Read())
        {
            var record = new SalesRecord
            {
                Region = pool.Get(csv.GetSpan(0)),
                Country = pool.Get(csv.GetSpan(1)),
                ItemType = pool.Get(csv.GetSpan(2)),
                SalesChannel = pool.Get(csv.GetSpan(3)),
                OrderPriority = pool.Get(csv.GetSpan(4)),
                OrderDate = Date(csv.GetSpan(5)),
                OrderId = Long(csv.GetSpan(6)),
                ShipDate = Date(csv.GetSpan(7)),
                UnitsSold = (int)Long(csv.GetSpan(8)),
                UnitPrice = Decimal(csv.GetSpan(9)),
                UnitCost = Decimal(csv.GetSpan(10)),
                TotalRevenue = Decimal(csv.GetSpan(11)),
                TotalCost = Decimal(csv.GetSpan(12)),
                TotalProfit = Decimal(csv.GetSpan(13)),
            };
            count += record.OrderId > 0 ? 1 : 0;
        }

        return Check(count);
    }

    [Benchmark(Description = "f) Prototype: UTF-16 (Sylvan reader, conversion from chars)")]
    public long Utf16()
    {
        using var text = new StreamReader(Sizes.OpenFile(_path), Encoding.UTF8);
        using var csv = Sylvan.Data.Csv.CsvDataReader.Create(text, new CsvDataReaderOptions { Delimiter = ',', BufferSize = 1 << 16 });
        var pool = new Pool();
        long count = 0;
        while (csv.Read())
        {
            var record = new SalesRecord
            {
                Region = pool.Get(csv.GetFieldSpan(0)),
                Country = pool.Get(csv.GetFieldSpan(1)),
                ItemType = pool.Get(csv.GetFieldSpan(2)),
                SalesChannel = pool.Get(csv.GetFieldSpan(3)),
                OrderPriority = pool.Get(csv.GetFieldSpan(4)),
                OrderDate = Date(csv.GetFieldSpan(5)),
                OrderId = Long(csv.GetFieldSpan(6)),
                ShipDate = Date(csv.GetFieldSpan(7)),
                UnitsSold = (int)Long(csv.GetFieldSpan(8)),
                UnitPrice = Decimal(csv.GetFieldSpan(9)),
                UnitCost = Decimal(csv.GetFieldSpan(10)),
                TotalRevenue = Decimal(csv.GetFieldSpan(11)),
                TotalCost = Decimal(csv.GetFieldSpan(12)),
                TotalProfit = Decimal(csv.GetFieldSpan(13)),
            };
            count += record.OrderId > 0 ? 1 : 0;
        }

        return Check(count);
    }

    private long Check(long count) =>
        count == Rows ? count : throw new InvalidOperationException($"Read {count} records of {Rows}.");

    private static long Long(ReadOnlySpan<byte> utf8) =>
        long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(Encoding.UTF8.GetString(utf8));

    private static long Long(ReadOnlySpan<char> text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(text.ToString());

    // The engine's plain-decimal fast path (FastParse.TryParsePlainDecimal), over bytes and over chars.
    private static decimal Decimal<T>(ReadOnlySpan<T> text)
        where T : unmanaged, IBinaryInteger<T>
    {
        var i = 0;
        var negative = text.Length > 0 && int.CreateTruncating(text[0]) == '-';
        if (negative)
        {
            i = 1;
        }

        ulong mantissa = 0;
        int digits = 0, scale = -1;
        for (; i < text.Length; i++)
        {
            var c = int.CreateTruncating(text[i]);
            if ((uint)(c - '0') <= 9)
            {
                mantissa = (mantissa * 10) + (uint)(c - '0');
                digits++;
                if (scale >= 0)
                {
                    scale++;
                }
            }
            else if (c == '.' && scale < 0 && digits > 0)
            {
                scale = 0;
            }
            else
            {
                throw Bad("decimal");
            }
        }

        return digits is 0 or > 18 || scale == 0
            ? throw Bad("decimal")
            : new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
    }

    private static decimal Decimal(ReadOnlySpan<byte> utf8) => Decimal<byte>(utf8);

    private static decimal Decimal(ReadOnlySpan<char> text) => Decimal<ushort>(MemoryMarshal.Cast<char, ushort>(text));

    // M/d/yyyy, as the engine's compiled SimpleDateFormat reads it.
    private static DateOnly Date<T>(ReadOnlySpan<T> text)
        where T : unmanaged, IBinaryInteger<T>
    {
        var at = 0;
        var month = Number(text, ref at, 2);
        Expect(text, ref at);
        var day = Number(text, ref at, 2);
        Expect(text, ref at);
        var year = Number(text, ref at, 4);
        return at == text.Length && month is >= 1 and <= 12 && day >= 1 && year >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : throw Bad("date");
    }

    private static DateOnly Date(ReadOnlySpan<byte> utf8) => Date<byte>(utf8);

    private static DateOnly Date(ReadOnlySpan<char> text) => Date<ushort>(MemoryMarshal.Cast<char, ushort>(text));

    private static int Number<T>(ReadOnlySpan<T> text, ref int at, int max)
        where T : unmanaged, IBinaryInteger<T>
    {
        int value = 0, count = 0;
        while (count < max && at < text.Length && (uint)(int.CreateTruncating(text[at]) - '0') <= 9)
        {
            value = (value * 10) + (int.CreateTruncating(text[at]) - '0');
            at++;
            count++;
        }

        return count > 0 ? value : throw Bad("date");
    }

    private static void Expect<T>(ReadOnlySpan<T> text, ref int at)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (at >= text.Length || int.CreateTruncating(text[at]) != '/')
        {
            throw Bad("date");
        }

        at++;
    }

    private static FormatException Bad(string what) => new("Not readable: " + what);

    /// <summary>The engine's string pool (sampled hash, direct-mapped, 2,048 slots), for bytes and for chars.</summary>
    private sealed class Pool
    {
        private readonly string?[] _entries = new string?[2048];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > 32)
            {
                return Encoding.UTF8.GetString(utf8);
            }

            ref var slot = ref _entries[Hash<byte>(utf8) & 2047];
            var existing = slot;
            return existing is not null && Utf8Equals(utf8, existing) ? existing : (slot = Encoding.UTF8.GetString(utf8));
        }

        public string Get(ReadOnlySpan<char> text)
        {
            if (text.Length > 32)
            {
                return text.ToString();
            }

            ref var slot = ref _entries[Hash(MemoryMarshal.Cast<char, ushort>(text)) & 2047];
            var existing = slot;
            return existing is not null && text.SequenceEqual(existing) ? existing : (slot = text.ToString());
        }

        // ASCII compared char by byte; anything else is transcoded (rare in pooled short values).
        private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
        {
            if (utf8.Length != text.Length)
            {
                return Ascii.IsValid(utf8) ? false : Encoding.UTF8.GetString(utf8) == text;
            }

            return Ascii.Equals(utf8, text) || (!Ascii.IsValid(utf8) && Encoding.UTF8.GetString(utf8) == text);
        }

        private static int Hash<T>(ReadOnlySpan<T> text)
            where T : unmanaged, IBinaryInteger<T>
        {
            var n = text.Length;
            if (n == 0)
            {
                return 0;
            }

            var hash = (uint)n * 0x9E3779B1u;
            hash = (hash ^ uint.CreateTruncating(text[0])) * 0x85EBCA77u;
            hash = (hash ^ uint.CreateTruncating(text[n >> 1])) * 0xC2B2AE3Du;
            hash = (hash ^ uint.CreateTruncating(text[n - 1])) * 0x27D4EB2Fu;
            hash ^= (n > 2 ? uint.CreateTruncating(text[1]) : 0) << 7;
            return (int)(hash ^ (hash >> 15));
        }
    }
}
