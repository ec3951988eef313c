using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.EntityFrameworkCore.Tests.Sinks;

/// <summary>Runs imports as a host does: <c>AddDbContext</c> (or a factory), <c>AddDataImport()</c> and the EF sink.</summary>
public static class ShopImport
{
    public static ServiceProvider Services(TestDatabase database, bool factory = false, Action<DataImportBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        if (factory)
        {
            services.AddDbContextFactory<ShopContext>(database.Configure);
        }
        else
        {
            services.AddDbContext<ShopContext>(database.Configure);
        }

        var builder = services.AddDataImport()
            .AddEntity<Client>(e => e.Key(c => c.Email).Ignore(c => c.Id).Required(c => c.Name))
            .AddEntityFrameworkSink<ShopContext, Client>()
            .AddEntity<Stock>(e => e.Key(s => s.Region, s => s.Number))
            .AddEntityFrameworkSink<ShopContext, Stock>();
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    public static async Task<(ImportJobDto Job, string NotImported)> RunAsync(
        IServiceProvider services, string entity, string csv, ImportMode mode, int? batchSize = null)
    {
        var path = Path.Combine(Path.GetTempPath(), "dataimport-ef-tests", Guid.NewGuid().ToString("N") + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, csv);
        try
        {
            await using var file = File.OpenRead(path);
            using var notImported = new MemoryStream();
            var job = await services.GetRequiredService<ImportEngine>().RunAsync(new ImportRequest
            {
                Entity = entity,
                FileType = "csv",
                File = file,
                FileName = "import.csv",
                Mode = mode,
                BatchSize = batchSize,
                NotImportedOutput = notImported,
            });
            return (job, Encoding.UTF8.GetString(notImported.ToArray()).TrimStart('\uFEFF'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<List<Client>> ClientsAsync(TestDatabase database)
    {
        await using var context = database.NewContext();
        return await context.Clients.AsNoTracking().OrderBy(c => c.Email).ToListAsync();
    }

    public static async Task SeedAsync(TestDatabase database, params object[] entities)
    {
        await using var context = database.NewContext();
        context.AddRange(entities);
        await context.SaveChangesAsync();
    }
}
