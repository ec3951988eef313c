using Microsoft.Extensions.Logging;

namespace DataImport.AspNetCore;

/// <summary>The endpoints' log events, in the category <see cref="Category"/>.</summary>
internal static partial class EndpointLog
{
    public const string Category = "DataImport.AspNetCore";

    [LoggerMessage(1, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception? exception, string method, string path);

    [LoggerMessage(2, LogLevel.Information, "The client went away during {Method} {Path}")]
    public static partial void ClientDisconnected(ILogger logger, string method, string path);

    [LoggerMessage(4, LogLevel.Warning, "The storage of jobs or files could not be reached during {Method} {Path}; answered 503")]
    public static partial void StorageUnavailable(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(3, LogLevel.Information, "The body of {Method} {Path} could not be read, it is cut short or malformed: {Reason}")]
    public static partial void BodyUnreadable(ILogger logger, string method, string path, string reason);
}
