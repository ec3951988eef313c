#region ReadMe
using System.ComponentModel.DataAnnotations;
using DataImport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
#endregion
using System.Text.RegularExpressions;
using static DataImport.Tests.ReadMeSource;

// The README's Entity Framework Core example, compiled and run. The code between the "#region ReadMe" lines, in file
// order, is exactly the example of the root README's "Entity Framework Core" section and of the package README
// (ReadMe_EntityFrameworkExample_IsTheCodeThisFileRuns keeps them equal). Its types live in a namespace of their own.
namespace DataImport.EntityFrameworkCore.Tests.ReadMe;

public sealed partial class ReadMeTest
{
    [Fact]
    public async Task ReadMe_EntityFrameworkExample_ImportsTheFileIntoTheDatabase()
    {
        // The example opens products.csv and shop.db in the working directory, as a user's program would.
        File.WriteAllText("products.csv", "Sku,Name,Price\nP-1,Pen,1.50\nP-2,Pad,3\nP-3,,2\nP-1,Blue pen,1.75\n");
        File.Delete("shop.db");
        try
        {
            var job = await RunTheReadMeExample();

            (job.CreatedCount, job.UpdatedCount, job.SkippedCount).Should().Be((2, 1, 1), job.Message);
            var options = new DbContextOptionsBuilder<ShopContext>().UseSqlite("Data Source=shop.db;Pooling=False").Options;
            await using var context = new ShopContext(options);
            (await context.Products.OrderBy(p => p.Sku).Select(p => new { p.Sku, p.Name, p.Price }).ToListAsync())
                .Select(p => (p.Sku, p.Name, p.Price)).Should().Equal(("P-1", "Blue pen", 1.75m), ("P-2", "Pad", 3m));
        }
        finally
        {
            File.Delete("products.csv");
            File.Delete("shop.db");
        }
    }

    [Fact]
    public void ReadMe_EntityFrameworkExample_IsTheCodeThisFileRuns()
    {
        var root = RepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "DataImport.EntityFrameworkCore.Tests", "ReadMeTest.cs")).ReplaceLineEndings("\n");
        var code = string.Join("\n\n", ReadMeRegion().Matches(source).Select(m => Dedent(m.Groups["code"].Value)));

        var readMe = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var section = readMe[readMe.IndexOf("\n## Entity Framework Core\n", StringComparison.Ordinal)..];
        CSharpBlock().Match(section).Groups["code"].Value.Should().Be(code);

        var packageReadMe = File.ReadAllText(Path.Combine(root, "src", "DataImport.EntityFrameworkCore", "README.md")).ReplaceLineEndings("\n");
        var use = packageReadMe[packageReadMe.IndexOf("\n## Use\n", StringComparison.Ordinal)..];
        CSharpBlock().Match(use).Groups["code"].Value.Should().Be(code);
    }

    private static async Task<ImportJobDto> RunTheReadMeExample()
    {
        #region ReadMe
        var services = new ServiceCollection();
        services.AddDbContext<ShopContext>(o => o.UseSqlite("Data Source=shop.db;Pooling=False"));   // or AddDbContextFactory
        services.AddDataImport()
            .AddEntity<Product>(e => e.Key(p => p.Sku).Ignore(p => p.Id))   // the import key: mapped columns
            .AddEntityFrameworkSink<ShopContext, Product>();
        await using var provider = services.BuildServiceProvider();

        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ShopContext>().Database.EnsureCreatedAsync();
        }

        await using var file = File.OpenRead("products.csv");              // Sku,Name,Price
        ImportJobDto job = await provider.GetRequiredService<ImportEngine>().RunAsync(new ImportRequest
        {
            Entity = "Product",
            FileType = "csv",
            File = file,
            Mode = ImportMode.CreateAndUpdate,
        });
        Console.WriteLine($"{job.CreatedCount} created, {job.UpdatedCount} updated, {job.FailedCount} not imported");
        #endregion
        return job;
    }
}

#region ReadMe
public sealed class Product
{
    public int Id { get; set; }
    [Required, MaxLength(40)] public string Sku { get; set; } = "";
    [Required] public string Name { get; set; } = "";
    public decimal Price { get; set; }
}

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Product>().HasIndex(p => p.Sku).IsUnique();
}
#endregion
