using DataImport;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthentication().AddBearerToken();   // your scheme; a user's "domain" claims are the domains they may import into
builder.Services.AddAuthorization();
builder.Services.AddSingleton<CustomerTable>();           // stands in for your database
builder.Services.AddDataImport()
    .AddEntity<Customer>(e => e.Key(c => c.Email))
    .AddSink((sp, job) => new CustomerSink(sp.GetRequiredService<CustomerTable>(), job.Domain))  // your persistence (Customer.cs)
    .AddBackgroundJobs();                                 // jobs in memory; .UseSqliteJobStore(...) keeps them across restarts
builder.Services.AddDataImportEndpoints();                // options: ErrorFormat, DomainClaimType, AuthorizeDomain, ...
var app = builder.Build();
app.MapDataImport("/api/v1").RequireAuthorization();      // a RouteGroupBuilder: chain RequireRateLimiting, filters, ...
app.Run();
