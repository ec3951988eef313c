using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.EntityFrameworkCore.Sinks;

/// <summary>
/// A fresh context for one lookup or one batch, so nothing is tracked from one batch to the next: from the host's
/// <see cref="IDbContextFactory{TContext}"/> when it registered one, otherwise from a service scope of its own.
/// </summary>
internal sealed class ContextLease<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    private readonly AsyncServiceScope? _scope;

    private ContextLease(TContext context, AsyncServiceScope? scope)
    {
        Context = context;
        _scope = scope;
    }

    public TContext Context { get; }

    public static async ValueTask<ContextLease<TContext>> OpenAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IDbContextFactory<TContext>>() is { } factory)
        {
            return new ContextLease<TContext>(await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false), null);
        }

        var scope = services.CreateAsyncScope();
        return new ContextLease<TContext>(scope.ServiceProvider.GetRequiredService<TContext>(), scope);
    }

    /// <summary>Opens a context synchronously, to read the model when the sink is created.</summary>
    public static ContextLease<TContext> Open(IServiceProvider services)
    {
        if (services.GetService<IDbContextFactory<TContext>>() is { } factory)
        {
            return new ContextLease<TContext>(factory.CreateDbContext(), null);
        }

        var scope = services.CreateAsyncScope();
        return new ContextLease<TContext>(scope.ServiceProvider.GetRequiredService<TContext>(), scope);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scope is { } scope)
        {
            // The scope owns the context.
            await scope.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await Context.DisposeAsync().ConfigureAwait(false);
        }
    }
}
