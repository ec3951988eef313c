using DataImport.Samples.EfCore.Shop;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace DataImport.Samples.EfCore;

/// <summary>
/// Builds the EF Core sample: a shop whose <see cref="ShopContext"/> (SQLite) receives customers and products imported
/// through <c>MapDataImport</c> and the EF Core sink, with background jobs kept in the same database file.
/// </summary>
public static class ShopApp
{
    /// <summary>The configuration section bound to <see cref="ImportJobsOptions"/>, e.g. <c>Shop:Jobs:MaxConcurrency</c>.</summary>
    public const string JobsSection = ShopSettings.Section + ":Jobs";

    /// <summary>Builds the web application, creating the database when it does not exist; <see cref="WebApplication.RunAsync"/> serves it.</summary>
    /// <param name="args">The command line (configuration overrides, e.g. <c>--urls</c> or <c>--Shop:DataPath=...</c>).</param>
    /// <param name="configure">Adjusts the builder before the services are added (tests set logging here).</param>
    /// <returns>The application, with its endpoints mapped.</returns>
    /// <exception cref="InvalidOperationException"><c>Shop:ApiToken</c> is not set.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = builder.Configuration.GetSection(ShopSettings.Section).Get<ShopSettings>() ?? new ShopSettings();
        if (string.IsNullOrWhiteSpace(settings.ApiToken))
        {
            throw new InvalidOperationException("Set Shop:ApiToken, the bearer token clients send (appsettings.Development.json sets dev-token for dotnet run).");
        }

        var dataPath = Path.GetFullPath(settings.DataPath, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataPath);

        // One SQLite file holds the shop's tables and the job store's: each batch of rows then commits in one transaction
        // with its job's checkpoint (CheckpointInTransaction), so a job resumed after a crash or taken over by another
        // process never writes a row twice.
        var database = $"Data Source={Path.Combine(dataPath, "shop.db")}";
        builder.Services.AddSingleton(settings);
        builder.Services.AddDbContextFactory<ShopContext>(o => o.UseSqlite(database));

        // Authentication: one token from configuration; its user may import into the shop's domain.
        builder.Services.AddAuthentication(ApiTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();

        builder.Services.AddDataImport()
            .AddEntity<Customer>(e => e
                .Key(c => c.Email)
                .Ignore(c => c.Id)
                .AllowedValues(c => c.Tier, "Gold", "Silver")
                .Validate(c => c.Balance is null or >= 0, nameof(Customer.Balance), "must not be negative"))
            .AddEntity<Product>(e => e
                .Key(p => p.Supplier, p => p.Sku)
                .AllowedValues(p => p.Category, "Tools", "Garden", "Kitchen")
                .Validate(p => p.Price >= 0, nameof(Product.Price), "must not be negative")
                .Validate(p => p.Stock >= 0, nameof(Product.Stock), "must not be negative"))
            .AddEntityFrameworkSink<ShopContext, Customer>(o => o.CheckpointInTransaction = true)
            .AddEntityFrameworkSink<ShopContext, Product>(o => o.CheckpointInTransaction = true)
            .AddBackgroundJobs(jobs =>
            {
                jobs.FilesPath = Path.Combine(dataPath, "files");
                jobs.DownloadLinkKey = settings.DownloadLinkKey;
                builder.Configuration.GetSection(JobsSection).Bind(jobs); // MaxConcurrency, WorkerId, LeaseDuration, …
            })
            .UseSqliteJobStore(database);
        builder.Services.AddSingleton<ImportRecordLister, ShopRecordLister>();
        builder.Services.AddDataImportEndpoints();
        builder.Services.AddHealthChecks().AddDataImportHealthChecks();

        var app = builder.Build();
        CreateDatabase(app.Services);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health");
        app.MapDataImport("/api/v1").RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Creates the database from the model when it has no tables yet. A sample uses <c>EnsureCreated</c> rather than
    /// migrations so that one <c>dotnet run</c> works with nothing generated or kept in step with the model; a real app uses
    /// migrations (<c>dotnet ef migrations add</c>), because <c>EnsureCreated</c> never changes a database it finds with
    /// tables: a property added later would never get its column (delete <c>shop.db</c> after changing the model here).
    /// </summary>
    /// <remarks>
    /// It runs before the app starts, so before the job store creates its own tables in the same file: <c>EnsureCreated</c>
    /// creates nothing in a database that already has any table.
    /// </remarks>
    private static void CreateDatabase(IServiceProvider services)
    {
        using var context = services.GetRequiredService<IDbContextFactory<ShopContext>>().CreateDbContext();
        context.Database.EnsureCreated();
    }
}
