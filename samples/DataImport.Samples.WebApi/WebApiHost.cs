using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using DataImport.Samples.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DataImport.Samples.WebApi;

/// <summary>Builds the REST sample: the seed's import API over DataImport, with SQLite for jobs and records and a local folder for files.</summary>
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

        // The body limit is the file limit plus room for the other form fields; the file limit itself is the library's.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxFileBytes + (1024 * 1024));
        builder.Services.Configure<WebApiOptions>(builder.Configuration.GetSection(WebApiOptions.Section));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddSingleton<BearerTokens>();
        builder.Services.AddSingleton(new SqliteRecordStore(Path.Combine(dataPath, "records.db")));
        builder.Services.AddOpenApi(openApi => openApi.AddOperationTransformer<ImportOpenApi>());
        builder.Services.AddProblemDetails();

        var schemas = EntitySchemaJson.LoadAsync(schemaPath).GetAwaiter().GetResult();
        builder.Services.AddDataImport(options => options.MaxFileBytes = settings.MaxFileBytes)
            .AddEntities(schemas)
            .AddSink<ImportRecord>((sp, context) => sp.GetRequiredService<SqliteRecordStore>().CreateSink(context.Entity, context.Domain))
            .AddBackgroundJobs(jobs =>
            {
                jobs.FilesPath = Path.Combine(dataPath, "files");
                jobs.DownloadLinkKey = settings.DownloadLinkKey;
                jobs.MaxConcurrency = settings.MaxConcurrency;
                builder.Configuration.GetSection(JobsSection).Bind(jobs); // WorkerId, LeaseDuration, HeartbeatInterval, …
            })
            .UseSqliteJobStore($"Data Source={Path.Combine(dataPath, "jobs.db")}");

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.UseStatusCodePages(async context =>
        {
            // Unmatched routes and methods get the envelope too.
            var status = context.HttpContext.Response.StatusCode;
            await Api.Fail(status, status switch
            {
                StatusCodes.Status404NotFound => "Not found.",
                StatusCodes.Status405MethodNotAllowed => "The method is not allowed on this path.",
                StatusCodes.Status415UnsupportedMediaType => "The body must be multipart/form-data with the fields type, file and mapping.",
                _ => "The request failed.",
            }).ExecuteAsync(context.HttpContext);
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        ImportEndpoints.Map(app);
        return app;
    }

    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is not null && IsClientGone(context, error))
        {
            HostLog.ClientDisconnected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(HostLog.Category), context.Request.Method, context.Request.Path);
            return;
        }

        IResult result;
        if (error is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            var limit = context.RequestServices.GetRequiredService<IOptions<WebApiOptions>>().Value.MaxFileBytes;
            result = TooLarge(limit);
        }
        else if (error is BadHttpRequestException bad)
        {
            result = Api.Fail(bad.StatusCode, "The request could not be read: " + bad.Message);
        }
        else
        {
            HostLog.Unhandled(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(HostLog.Category), error, context.Request.Method, context.Request.Path);
            result = Api.Fail(StatusCodes.Status500InternalServerError, "An unexpected error occurred; it has been logged.");
        }

        await result.ExecuteAsync(context);
    }

    /// <summary>Whether an error is only the client having gone away (closed the connection, cut the body short).</summary>
    internal static bool IsClientGone(HttpContext context, Exception error) =>
        context.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException;

    internal static IResult TooLarge(long limit) => Api.Fail(
        StatusCodes.Status413PayloadTooLarge,
        "file",
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The file is larger than the limit of {limit:N0} bytes."));
}

/// <summary>The host's log events.</summary>
internal static partial class HostLog
{
    public const string Category = "DataImport.Samples.WebApi";

    [LoggerMessage(1, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception? exception, string method, string path);

    [LoggerMessage(2, LogLevel.Information, "The client went away during {Method} {Path}")]
    public static partial void ClientDisconnected(ILogger logger, string method, string path);

    [LoggerMessage(3, LogLevel.Information, "The body of {Method} {Path} could not be read, it is cut short or malformed: {Reason}")]
    public static partial void BodyUnreadable(ILogger logger, string method, string path, string reason);
}
