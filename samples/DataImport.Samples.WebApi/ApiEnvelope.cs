using System.Text.Json.Serialization;

namespace DataImport.Samples.WebApi;

/// <summary>The seed's response envelope, used for every response: <c>{"status", "error", "message", "errors", "data"}</c>.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Error">Whether the request failed.</param>
/// <param name="Message">A sentence about the outcome.</param>
/// <param name="Errors">One entry per problem (empty on success).</param>
/// <param name="Data">The payload, or <see langword="null"/>.</param>
/// <param name="Pagination">The page of a list, or <see langword="null"/> (then left out).</param>
public sealed record ApiEnvelope(
    int Status,
    bool Error,
    string Message,
    IReadOnlyList<ApiError> Errors,
    object? Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiPagination? Pagination = null);

/// <summary>One problem of a request.</summary>
/// <param name="Field">The request part at fault (<c>mapping</c>, <c>type</c>, <c>file</c>, <c>domain</c>, ...), or <see langword="null"/>.</param>
/// <param name="Message">What is wrong, in a sentence a user can act on.</param>
public sealed record ApiError(string? Field, string Message);

/// <summary>The page of a list response.</summary>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PageSize">The page size.</param>
/// <param name="Total">The number of items in all pages.</param>
/// <param name="TotalPages">The number of pages.</param>
public sealed record ApiPagination(int Page, int PageSize, long Total, long TotalPages);

/// <summary>Builds envelope results.</summary>
internal static class Api
{
    public static IResult Ok(object? data, string message = "OK", ApiPagination? pagination = null) =>
        Results.Json(new ApiEnvelope(StatusCodes.Status200OK, false, message, [], data, pagination), statusCode: StatusCodes.Status200OK);

    public static IResult Fail(int status, string message, IReadOnlyList<ApiError>? errors = null) =>
        Results.Json(new ApiEnvelope(status, true, message, errors ?? [new ApiError(null, message)], null), statusCode: status);

    public static IResult Fail(int status, string field, string message) => Fail(status, message, [new ApiError(field, message)]);

}
