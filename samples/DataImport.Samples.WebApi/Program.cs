using DataImport.Samples.WebApi;

await using var app = WebApiHost.Build(args);
await app.RunAsync();
