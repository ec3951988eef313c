using DataImport.AspNetCore;
using DataImport.Samples.Storage;
using Npgsql;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;

namespace DataImport.Samples.WebApi;

/// <summary>
/// Builds the REST sample: the seed's import API (package DataImport.AspNetCore) behind the sample's bearer tokens, with
/// SQLite for jobs and records and a local folder for files.
/// </summary>
public static class WebApiHost
{
    /// <summary>The configuration section bound to <see cref="ImportJobsOptions"/>, e.g. <c>DataImport:Jobs:LeaseDuration</c>.</summary>
    public const string JobsSection = "DataImport:Jobs";

    /// <summary>Builds the web application; <see cref="WebApplication.RunAsync"/> or <c>StartAsync</c> serves it.</summary>
    /// <param name="args">The command line (configuration overrides, e.g. <c>--urls</c> or <c>--DataImport:DataPath=...</c>).</param>
    /// <param name="configure">Adjusts the builder before the services are added (tests set configuration here).</param>
    /// <returns>The application, with its endpoints mapped.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = builder.Configuration.GetSection(WebApiOptions.Section).Get<WebApiOptions>() ?? new WebApiOptions();
        var dataPath = Path.GetFullPath(settings.DataPath, builder.Environment.ContentRootPath);
        var schemaPath = settings.SchemaPath is { Length: > 0 } path
            ? Path.GetFullPath(path, builder.Environment.ContentRootPath)
            : Path.Combine(AppContext.BaseDirectory, "data", "schema.json");
        Directory.CreateDirectory(dataPath);

        // Authentication: the sample's token table; each token's domains become the user's "domain" claims.
        builder.Services.AddSingleton<BearerTokens>();
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        builder.Services.AddDataImportEndpoints();
        builder.Services.AddOpenApi();

        // Storage: SQLite files under DataPath (the embedded default), or one PostgreSQL database for several instances.
        var schemas = EntitySchemaJson.LoadAsync(schemaPath).GetAwaiter().GetResult();
        var dataImport = builder.Services.AddDataImport(options => options.MaxFileBytes = settings.MaxFileBytes).AddEntities(schemas);
        if (string.Equals(settings.Store, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            // Jobs, uploads, not-imported files and records in one database: instances share nothing else, and each batch
            // of records commits with its job's checkpoint. Every instance needs the same DownloadLinkKey.
            var connectionString = builder.Configuration.GetConnectionString("DataImport") is { Length: > 0 } cs
                ? cs
                : throw new InvalidOperationException("DataImport:Store is postgres but the connection string ConnectionStrings:DataImport is not set.");
            var dataSource = NpgsqlDataSource.Create(connectionString);
            settings.DownloadLinkKey ??= SharedLinkKey.GetOrCreate(dataSource, settings.PostgreSql.Schema);
            builder.Services.AddSingleton(_ => dataSource); // a factory registration: the container disposes it with itself
            dataImport.AddPostgreSqlRecordSink(dataSource, o => o.Schema = settings.PostgreSql.RecordsSchema)
                .AddBackgroundJobs(jobs => ConfigureJobs(jobs, settings, dataPath, builder.Configuration))
                .UsePostgreSql(dataSource, o => o.SchemaName = settings.PostgreSql.Schema);
        }
        else if (string.Equals(settings.Store, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            // Records in SQLite tables (listed by the records endpoint), jobs in SQLite, files in a local folder.
            builder.Services.AddSingleton(new SqliteRecordStore(Path.Combine(dataPath, "records.db")));
            builder.Services.AddSingleton<ImportRecordLister>(sp => sp.GetRequiredService<SqliteRecordStore>());
            dataImport.AddSink<ImportRecord>((sp, context) => sp.GetRequiredService<SqliteRecordStore>().CreateSink(context.Entity, context.Domain))
                .AddBackgroundJobs(jobs => ConfigureJobs(jobs, settings, dataPath, builder.Configuration))
                .UseSqliteJobStore($"Data Source={Path.Combine(dataPath, "jobs.db")}");
        }
        else
        {
            throw new InvalidOperationException($"DataImport:Store is '{settings.Store}'; it must be sqlite or postgres.");
        }

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.UseStatusCodePages(async context =>
        {
            // Unmatched routes and methods get the envelope too.
            var status = context.HttpContext.Response.StatusCode;
            await Fail(status, status switch
            {
                StatusCodes.Status404NotFound => "Not found.",
                StatusCodes.Status405MethodNotAllowed => "The method is not allowed on this path.",
                _ => "The request failed.",
            }).ExecuteAsync(context.HttpContext);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapDataImport("/api/v1").RequireAuthorization();
        return app;
    }

    private static void ConfigureJobs(ImportJobsOptions jobs, WebApiOptions settings, string dataPath, ConfigurationManager configuration)
    {
        jobs.FilesPath = Path.Combine(dataPath, "files");
        jobs.DownloadLinkKey = settings.DownloadLinkKey;
        jobs.MaxConcurrency = settings.MaxConcurrency;
        configuration.GetSection(JobsSection).Bind(jobs); // WorkerId, LeaseDuration, HeartbeatInterval, …
    }

    /// <summary>Errors outside the import endpoints' handlers (e.g. while a download streams): a generic 500, never the exception.</summary>
    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(HostLog.Category);
        if (error is not null && context.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException)
        {
            HostLog.ClientDisconnected(log, context.Request.Method, context.Request.Path);
            return;
        }

        HostLog.Unhandled(log, error, context.Request.Method, context.Request.Path);
        await Fail(StatusCodes.Status500InternalServerError, "An unexpected error occurred; it has been logged.").ExecuteAsync(context);
    }

    private static IResult Fail(int status, string message) =>
        Results.Json(new ApiEnvelope { Status = status, Error = true, Message = message, Errors = [new ApiError { Message = message }] }, statusCode: status);
}

/// <summary>The host's log events.</summary>
internal static partial class HostLog
{
    public const string Category = "DataImport.Samples.WebApi";

    [LoggerMessage(1, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception? exception, string method, string path);

    [LoggerMessage(2, LogLevel.Information, "The client went away during {Method} {Path}")]
    public static partial void ClientDisconnected(ILogger logger, string method, string path);
}
