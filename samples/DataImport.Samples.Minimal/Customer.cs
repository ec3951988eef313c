using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using DataImport;

namespace DataImport.Samples.Minimal;

/// <summary>The entity the README's ten-line app imports.</summary>
public sealed class Customer
{
    /// <summary>Gets or sets the name.</summary>
    [Required, MaxLength(100)] public string Name { get; set; } = "";

    /// <summary>Gets or sets the e-mail address, the key.</summary>
    [Required] public string Email { get; set; } = "";

    /// <summary>Gets or sets the balance.</summary>
    public decimal? Balance { get; set; }
}

/// <summary>Stands in for the host's database: customers by domain, then by e-mail.</summary>
public sealed class CustomerTable
{
    /// <summary>Gets the rows of each domain.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, Customer>> Domains { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the rows of a domain.</summary>
    public ConcurrentDictionary<string, Customer> Rows(string? domain) => Domains.GetOrAdd(domain ?? "", _ => new(StringComparer.OrdinalIgnoreCase));
}

/// <summary>The host's persistence for customers: one domain's rows, found by key, written a batch at a time.</summary>
public sealed class CustomerSink(CustomerTable table, string? domain) : ImportSink<Customer>
{
    private readonly ConcurrentDictionary<string, Customer> _rows = table.Rows(domain);

    /// <inheritdoc/>
    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<ImportKey>>(keys.Where(k => _rows.ContainsKey((string)k[0]!)).ToHashSet());

    /// <inheritdoc/>
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
    {
        foreach (var write in batch)
        {
            _rows[write.Record.Email] = write.Record;
        }

        return ValueTask.CompletedTask;
    }
}
