using DataImport.EntityFrameworkCore.Sinks;
using Microsoft.EntityFrameworkCore;

namespace DataImport;

/// <summary>Registers the Entity Framework Core sink.</summary>
public static class EntityFrameworkSinkExtensions
{
    /// <summary>
    /// Writes the records of an entity registered from <typeparamref name="TEntity"/> through <typeparamref name="TContext"/>:
    /// one key lookup query and one transaction per batch, inserts and updates through the context, updates changing only
    /// the columns the file maps. Register the context (<c>AddDbContext</c> or <c>AddDbContextFactory</c>) and the entity
    /// (<c>AddEntity&lt;TEntity&gt;()</c>) as well.
    /// </summary>
    /// <typeparam name="TContext">The application's context; a context is resolved for each lookup and each batch, from
    /// <see cref="IDbContextFactory{TContext}"/> when one is registered, otherwise from a new service scope.</typeparam>
    /// <typeparam name="TEntity">The entity class, mapped in <typeparamref name="TContext"/>.</typeparam>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="configure">Sets the sink's options (e.g. <see cref="EntityFrameworkSinkOptions.CheckpointInTransaction"/>).</param>
    /// <param name="entity">The entity name, or <see langword="null"/> (the default) for every entity of <typeparamref name="TEntity"/> without a sink of its own.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The configuration is checked when a job creates the sink: <typeparamref name="TEntity"/> must be an entity type of the
    /// context's model, and every key property of the DataImport entity a mapped property of it; otherwise creating the
    /// sink throws <see cref="InvalidOperationException"/> naming the property.
    /// </remarks>
    public static DataImportBuilder AddEntityFrameworkSink<TContext, TEntity>(this DataImportBuilder builder, Action<EntityFrameworkSinkOptions>? configure = null, string? entity = null)
        where TContext : DbContext
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EntityFrameworkSinkOptions();
        configure?.Invoke(options);
        return builder.AddSink<TEntity>((services, context) => EntityFrameworkImportSink<TContext, TEntity>.Create(services, context.Entity, options.CheckpointInTransaction), entity);
    }
}
