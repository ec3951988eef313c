using System.Collections.Concurrent;
using System.Reflection;

namespace DataImport;

/// <summary>
/// A sink that keeps records in memory, for tests, samples and dry experiments. Writes are atomic per batch;
/// an update copies only the mapped properties onto the stored record.
/// </summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public sealed class InMemoryImportSink<TRecord> : ImportSink<TRecord>
    where TRecord : class
{
    private readonly Lock _gate = new();
    private readonly List<TRecord> _records = [];
    private readonly Dictionary<ImportKey, int> _byKey = [];
    private readonly List<Func<TRecord, string?>> _constraints = [];
    private readonly ConcurrentDictionary<string, PropertyInfo?> _properties = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets a snapshot of the stored records in the order they were created.</summary>
    public IReadOnlyList<TRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>For tests and samples: gets the number of batches written, to check how the engine batched an import.</summary>
    /// <value>0 until a batch is written.</value>
    public int BatchesWritten { get; private set; }

    /// <summary>
    /// For tests and samples: adds a constraint checked for every write, like a database constraint; a non-null result fails
    /// the batch with that message, to exercise how the engine isolates rows a real sink refuses.
    /// </summary>
    /// <param name="constraint">Returns an error message for a record that violates it, or <see langword="null"/>.</param>
    /// <returns>This sink.</returns>
    public InMemoryImportSink<TRecord> AddConstraint(Func<TRecord, string?> constraint)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        _constraints.Add(constraint);
        return this;
    }

    /// <summary>For tests and samples: adds a record as if it existed before the import, e.g. to try an update mode.</summary>
    /// <param name="record">The record.</param>
    /// <param name="key">Its key, or <see langword="null"/>.</param>
    public void Seed(TRecord record, ImportKey? key)
    {
        lock (_gate)
        {
            _records.Add(record);
            if (key is not null)
            {
                _byKey[key] = _records.Count - 1;
            }
        }
    }

    /// <summary>Finds a stored record by key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    public TRecord? Find(ImportKey key)
    {
        lock (_gate)
        {
            return _byKey.TryGetValue(key, out var index) ? _records[index] : null;
        }
    }

    /// <inheritdoc />
    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            var found = new HashSet<ImportKey>();
            foreach (var key in keys)
            {
                if (_byKey.ContainsKey(key))
                {
                    found.Add(key);
                }
            }

            return ValueTask.FromResult<IReadOnlySet<ImportKey>>(found);
        }
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<TRecord>> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Check everything first so the batch lands whole or not at all.
            var pendingKeys = new HashSet<ImportKey>(_byKey.Keys);
            foreach (var write in batch)
            {
                foreach (var constraint in _constraints)
                {
                    if (constraint(write.Record) is { } message)
                    {
                        throw new ImportRowRejectedException(message);
                    }
                }

                if (write.Kind == ImportWriteKind.Create && write.Key is not null && !pendingKeys.Add(write.Key))
                {
                    throw new ImportRowRejectedException($"A record with key {write.Key} already exists.");
                }

                if (write.Kind == ImportWriteKind.Update && (write.Key is null || !pendingKeys.Contains(write.Key)))
                {
                    throw new ImportRowRejectedException($"No record with key {write.Key} to update.");
                }
            }

            foreach (var write in batch)
            {
                if (write.Kind == ImportWriteKind.Create)
                {
                    _records.Add(write.Record);
                    if (write.Key is not null)
                    {
                        _byKey[write.Key] = _records.Count - 1;
                    }
                }
                else
                {
                    var index = _byKey[write.Key!];
                    _records[index] = Merge(_records[index], write);
                }
            }

            BatchesWritten++;
        }

        return ValueTask.CompletedTask;
    }

    private TRecord Merge(TRecord existing, ImportWrite<TRecord> write)
    {
        if (existing is ImportRecord stored && write.Record is ImportRecord incoming)
        {
            var merged = stored.Clone();
            merged.MergeFrom(incoming);
            return (TRecord)(object)merged;
        }

        foreach (var name in write.MappedProperties)
        {
            var property = _properties.GetOrAdd(name, n => typeof(TRecord).GetProperty(n, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase));
            property?.SetValue(existing, property.GetValue(write.Record));
        }

        return existing;
    }
}
