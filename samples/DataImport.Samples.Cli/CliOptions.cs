using System.Globalization;

namespace DataImport.Samples.Cli;

/// <summary>The command line, parsed: <c>import</c> (the default) or <c>export</c>, with their options.</summary>
internal sealed class CliOptions
{
    public string Command { get; private set; } = "import";

    public string? File { get; private set; }

    public string? Type { get; private set; }

    public string Entity { get; private set; } = "Customer";

    public string? Schema { get; private set; }

    public string? Mapping { get; private set; }

    public string? Locale { get; private set; }

    public int Offset { get; private set; }

    public ImportMode Mode { get; private set; } = ImportMode.CreateAndUpdate;

    public string? Sheet { get; private set; }

    public bool HasHeaderRow { get; private set; } = true;

    public char? Delimiter { get; private set; }

    public string? Encoding { get; private set; }

    public bool DryRun { get; private set; }

    public string Database { get; private set; } = "dataimport-sample.db";

    public string? NotImported { get; private set; }

    public string Domain { get; private set; } = "demo";

    public bool Json { get; private set; }

    public bool Help { get; private set; }

    public const string Usage = """
        Usage:
          dataimport [import] [options]     import a CSV or XLSX file (no options: the bundled customers.csv)
          dataimport export [options]       print an entity's records as JSON lines

        Options:
          --file PATH            the file to import (default: the bundled samples/data/customers.csv)
          --type csv|xlsx        the file type (default: from the file's extension)
          --schema PATH          entity schema JSON (default: the bundled samples/data/schema.json)
          --entity NAME          the entity (default: Customer)
          --mapping JSON|@PATH   column number or header -> property, e.g. {"1":"Name","2":"Email"} (default: by header name)
          --locale NAME          culture for numbers and dates, e.g. de-DE (default: invariant)
          --offset MINUTES       timezone offset, minutes east of UTC, e.g. 60 for UTC+01:00 (default: 0)
          --mode MODE            CreateOnly | UpdateOnly | CreateAndUpdate (default: CreateAndUpdate)
          --sheet NAME|INDEX     XLSX worksheet (default: the first)
          --no-header            the first row is data, not column names
          --delimiter CHAR       CSV delimiter (default: detected; use \t for tab)
          --encoding NAME        CSV encoding, e.g. windows-1252 (default: BOM or UTF-8)
          --dry-run              write nothing; report what would happen
          --db PATH              SQLite database file (default: dataimport-sample.db)
          --domain NAME          tenant of the records (default: demo)
          --not-imported PATH    where to write rows not imported (default: <file name>.not-imported.csv beside the database)
          --json                 print the final job as JSON on stdout
        Exit code: 0 when the job completed (row errors included), 1 when it failed, 2 for bad arguments.
        """;

    public static CliOptions Parse(string[] args)
    {
        var options = new CliOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            options.Command = args[0].ToLowerInvariant() switch
            {
                "import" => "import",
                "export" => "export",
                "help" => "help",
                _ => throw new ArgumentException($"Unknown command '{args[0]}'; use import or export."),
            };
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--file": options.File = Value(); break;
                case "--type": options.Type = Value(); break;
                case "--schema": options.Schema = Value(); break;
                case "--entity": options.Entity = Value(); break;
                case "--mapping": options.Mapping = Value(); break;
                case "--locale": options.Locale = Value(); break;
                case "--offset":
                    var offset = Value();
                    options.Offset = int.TryParse(offset, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var minutes)
                        ? minutes
                        : throw new ArgumentException($"--offset '{offset}' is not a whole number of minutes.");
                    break;
                case "--mode":
                    var mode = Value();
                    options.Mode = Enum.TryParse<ImportMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                        ? parsed
                        : throw new ArgumentException($"--mode '{mode}' is not one of CreateOnly, UpdateOnly, CreateAndUpdate.");
                    break;
                case "--sheet": options.Sheet = Value(); break;
                case "--no-header": options.HasHeaderRow = false; break;
                case "--delimiter":
                    var delimiter = Value().Replace("\\t", "\t", StringComparison.Ordinal);
                    options.Delimiter = delimiter.Length == 1 ? delimiter[0] : throw new ArgumentException("--delimiter must be one character.");
                    break;
                case "--encoding": options.Encoding = Value(); break;
                case "--dry-run": options.DryRun = true; break;
                case "--db": options.Database = Value(); break;
                case "--domain": options.Domain = Value(); break;
                case "--not-imported": options.NotImported = Value(); break;
                case "--json": options.Json = true; break;
                case "--help" or "-h": options.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'. Run with --help for the options.");
            }
        }

        return options;
    }
}
