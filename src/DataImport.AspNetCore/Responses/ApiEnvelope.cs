using System.Text.Json.Serialization;

namespace DataImport.AspNetCore;

/// <summary>
/// The seed's response envelope, <c>{"status", "error", "message", "errors", "data"}</c> (plus <c>pagination</c> on a list),
/// used for every response of the endpoints unless <see cref="DataImportEndpointOptions.ErrorFormat"/> asks for
/// RFC 9457 problem details on errors. Public so a host can answer its own errors (e.g. an unknown route) in the same shape.
/// </summary>
public sealed class ApiEnvelope
{
    /// <summary>Gets the HTTP status code.</summary>
    public required int Status { get; init; }

    /// <summary>Gets whether the request failed.</summary>
    public required bool Error { get; init; }

    /// <summary>Gets a sentence about the outcome.</summary>
    public required string Message { get; init; }

    /// <summary>Gets one entry per problem; empty on success.</summary>
    public IReadOnlyList<ApiError> Errors { get; init; } = [];

    /// <summary>Gets the payload, or <see langword="null"/> on an error.</summary>
    public object? Data { get; init; }

    /// <summary>Gets the page of a list, or <see langword="null"/> (then left out of the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ApiPagination? Pagination { get; init; }
}

/// <summary>One problem of a request, as an entry of <see cref="ApiEnvelope.Errors"/>.</summary>
public sealed class ApiError
{
    /// <summary>Gets the request part at fault (<c>mapping</c>, <c>type</c>, <c>file</c>, <c>domain</c>, <c>authorization</c>, …), or <see langword="null"/>.</summary>
    public string? Field { get; init; }

    /// <summary>Gets what is wrong, in a sentence a user can act on.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the stable code of the problem (<see cref="ImportProblemCodes"/>, or e.g. <c>unauthorized</c>), or <see langword="null"/> (then left out of the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    /// <summary>Maps a library problem to an entry, keeping its field and code.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="defaultField">The field when the problem names none.</param>
    /// <returns>The entry.</returns>
    internal static ApiError From(ImportProblem problem, string? defaultField = null) =>
        new() { Field = problem.Field ?? defaultField, Code = problem.Code, Message = problem.Message };
}

/// <summary>The page of a list response.</summary>
public sealed class ApiPagination
{
    /// <summary>Gets the page number, from 1.</summary>
    public required int Page { get; init; }

    /// <summary>Gets the page size.</summary>
    public required int PageSize { get; init; }

    /// <summary>Gets the number of items in all pages.</summary>
    public required long Total { get; init; }

    /// <summary>Gets the number of pages.</summary>
    public required long TotalPages { get; init; }
}
