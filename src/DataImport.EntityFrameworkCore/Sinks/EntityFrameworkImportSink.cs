using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DataImport.EntityFrameworkCore.Sinks;

/// <summary>
/// Writes an entity's records through the host's <typeparamref name="TContext"/>. Each lookup and each batch get a fresh
/// context, so nothing stays tracked between batches. Per batch: one query per chunk of keys finds the existing records,
/// one query loads the records the batch updates, and inserts and updates are saved in one transaction (with the job's
/// checkpoint when <see cref="EntityFrameworkSinkOptions.CheckpointInTransaction"/> is set).
/// </summary>
internal sealed class EntityFrameworkImportSink<TContext, TEntity> : ImportSink<TEntity>
    where TContext : DbContext
    where TEntity : class
{
    private readonly IServiceProvider _services;
    private readonly EntityMap<TEntity> _map;
    private readonly EntitySchema _schema;
    private readonly bool _checkpointInTransaction;

    private EntityFrameworkImportSink(IServiceProvider services, EntityMap<TEntity> map, EntitySchema schema, bool checkpointInTransaction)
    {
        _services = services;
        _map = map;
        _schema = schema;
        _checkpointInTransaction = checkpointInTransaction;
    }

    /// <summary>Creates the sink for one job, checking the entity against the context's model.</summary>
    /// <exception cref="InvalidOperationException">The entity is not mapped in the context, or its key properties are not mapped properties.</exception>
    public static EntityFrameworkImportSink<TContext, TEntity> Create(IServiceProvider services, EntitySchema schema, bool checkpointInTransaction)
    {
        var lease = ContextLease<TContext>.Open(services);
        try
        {
            var map = EntityMap<TEntity>.Create(lease.Context.Model, schema, typeof(TContext));
            return new EntityFrameworkImportSink<TContext, TEntity>(services, map, schema, checkpointInTransaction);
        }
        finally
        {
            lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<ImportKey>();
        if (keys.Count == 0)
        {
            return found;
        }

        // The database returns CLR values; they lead back to the engine's keys.
        var byClrKey = new Dictionary<ImportKey, ImportKey>(keys.Count);
        var clrKeys = new object?[keys.Count][];
        for (var i = 0; i < keys.Count; i++)
        {
            clrKeys[i] = _map.ToClrKey(keys[i]);
            byClrKey[new ImportKey(clrKeys[i])] = keys[i];
        }

        var lease = await ContextLease<TContext>.OpenAsync(_services, cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            var set = lease.Context.Set<TEntity>().AsNoTracking();
            foreach (var chunk in KeyQuery.Chunks(clrKeys, _map.Key.Length))
            {
                var rows = await KeyQuery.SelectKey(KeyQuery.WhereKeyIn(set, _map.Key, chunk), _map.Key).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    if (byClrKey.TryGetValue(new ImportKey(row), out var key))
                    {
                        found.Add(key);
                    }
                }
            }
        }

        return found;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<TEntity>> batch, CancellationToken cancellationToken) =>
        WriteCoreAsync(batch, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>With <see cref="EntityFrameworkSinkOptions.CheckpointInTransaction"/>, the checkpoint is saved in the batch's transaction after the rows.</remarks>
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<TEntity>> batch, ImportJobCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return _checkpointInTransaction ? WriteCoreAsync(batch, commit, cancellationToken) : base.WriteAsync(batch, commit, cancellationToken);
    }

    private async ValueTask WriteCoreAsync(IReadOnlyList<ImportWrite<TEntity>> batch, ImportJobCommit? commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0 && commit is null)
        {
            return;
        }

        var lease = await ContextLease<TContext>.OpenAsync(_services, cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            var context = lease.Context;

            // A retrying execution strategy (EnableRetryOnFailure) runs the whole batch again, so it starts from nothing.
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(
                (Context: context, Batch: batch, Commit: commit, Sink: this),
                static (_, state, ct) => state.Sink.WriteBatchAsync(state.Context, state.Batch, state.Commit, ct),
                null,
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> WriteBatchAsync(TContext context, IReadOnlyList<ImportWrite<TEntity>> batch, ImportJobCommit? commit, CancellationToken cancellationToken)
    {
        context.ChangeTracker.Clear();
        var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var tracked = await LoadUpdatedAsync(context, batch, cancellationToken).ConfigureAwait(false);
            foreach (var write in batch)
            {
                if (write.Kind == ImportWriteKind.Create)
                {
                    context.Add(write.Record);
                    if (write.Key is not null)
                    {
                        // A later update of the same key in this batch changes this new record.
                        tracked[write.Key] = write.Record;
                    }

                    continue;
                }

                if (write.Key is null || !tracked.TryGetValue(write.Key, out var existing))
                {
                    throw new ImportRowRejectedException($"the record with {DescribeKey(write.Key)} no longer exists");
                }

                var entry = context.Entry(existing);
                foreach (var name in write.MappedProperties)
                {
                    if (_map.TryGetUpdatable(name, out var updatable))
                    {
                        entry.Property(updatable.Property).CurrentValue = updatable.Get(write.Record);
                    }
                }
            }

            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (UniqueViolation.Describe(ex, _map.EntityType) is { } message)
            {
                throw new ImportRowRejectedException(message, ex);
            }

            if (commit is not null)
            {
                // Throws when this worker no longer holds the job: the rows roll back with it.
                await commit.SaveAsync(transaction.GetDbTransaction(), cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Loads, tracked, the existing records the batch updates (those it does not create first), by their key.</summary>
    private async Task<Dictionary<ImportKey, TEntity>> LoadUpdatedAsync(TContext context, IReadOnlyList<ImportWrite<TEntity>> batch, CancellationToken cancellationToken)
    {
        var tracked = new Dictionary<ImportKey, TEntity>();
        var created = new HashSet<ImportKey>();
        var wanted = new Dictionary<ImportKey, ImportKey>();
        foreach (var write in batch)
        {
            if (write.Key is null)
            {
                continue;
            }

            if (write.Kind == ImportWriteKind.Create)
            {
                created.Add(write.Key);
            }
            else if (!created.Contains(write.Key))
            {
                wanted.TryAdd(new ImportKey(_map.ToClrKey(write.Key)), write.Key);
            }
        }

        if (wanted.Count == 0)
        {
            return tracked;
        }

        var clrKeys = wanted.Keys.Select(k => k.Values.ToArray()).ToArray();
        foreach (var chunk in KeyQuery.Chunks(clrKeys, _map.Key.Length))
        {
            var entities = await KeyQuery.WhereKeyIn(context.Set<TEntity>(), _map.Key, chunk).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entity in entities)
            {
                if (wanted.TryGetValue(_map.ClrKeyOf(entity), out var key))
                {
                    tracked[key] = entity;
                }
            }
        }

        return tracked;
    }

    private string DescribeKey(ImportKey? key) => key is null
        ? "no key"
        : string.Join(", ", _schema.Key.Select((p, i) => $"{p.Name} = {key[i]}"));
}
