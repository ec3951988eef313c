using DataImport.Samples.EfCore;

await using var app = ShopApp.Build(args);
await app.RunAsync();
