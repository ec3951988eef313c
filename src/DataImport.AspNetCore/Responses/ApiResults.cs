using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore;

/// <summary>
/// Builds the endpoints' responses: successes in the seed's envelope, errors in the envelope or as RFC 9457 problem
/// details (<see cref="DataImportEndpointOptions.ErrorFormat"/>). Every error names its field and, where the library
/// gave one, the problem's stable code.
/// </summary>
internal sealed class ApiResults
{
    private readonly ImportErrorFormat _format;

    public ApiResults(IOptions<DataImportEndpointOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        _format = options.Value.ErrorFormat;

        // The host's JSON settings (its converters serialise its records), plus enums as names (the payload's mode).
        Json = new JsonSerializerOptions(json.Value.SerializerOptions);
        if (!Json.Converters.Any(c => c is JsonStringEnumConverter))
        {
            Json.Converters.Add(new JsonStringEnumConverter());
        }

        // Messages quote names ('Order'); no need to escape them as \u0027 for a JSON API.
        Json.Encoder ??= JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    /// <summary>Gets the serializer settings of the responses and the progress events.</summary>
    public JsonSerializerOptions Json { get; }

    public IResult Ok(object? data, string message = "OK", ApiPagination? pagination = null) => Results.Json(
        new ApiEnvelope { Status = StatusCodes.Status200OK, Error = false, Message = message, Data = data, Pagination = pagination },
        Json,
        statusCode: StatusCodes.Status200OK);

    public IResult Fail(int status, string message, IReadOnlyList<ApiError>? errors = null)
    {
        errors ??= [new ApiError { Message = message }];
        if (_format == ImportErrorFormat.ProblemDetails)
        {
            var problem = new ProblemDetails { Status = status, Title = ReasonPhrases.GetReasonPhrase(status), Detail = message };
            problem.Extensions["errors"] = errors;
            return TypedResults.Problem(problem);
        }

        return Results.Json(new ApiEnvelope { Status = status, Error = true, Message = message, Errors = errors }, Json, statusCode: status);
    }

    public IResult Fail(int status, string field, string message, string? code = null) =>
        Fail(status, message, [new ApiError { Field = field, Message = message, Code = code }]);

    /// <summary>A 400 listing every problem; the message is the problem's own when there is one.</summary>
    public IResult Invalid(IReadOnlyList<ApiError> problems) => Fail(
        StatusCodes.Status400BadRequest,
        problems.Count == 1 ? problems[0].Message : string.Create(CultureInfo.InvariantCulture, $"The import request has {problems.Count} problems."),
        problems);

    public IResult TooLarge(long limit) => Fail(
        StatusCodes.Status413PayloadTooLarge,
        "file",
        string.Create(CultureInfo.InvariantCulture, $"The file is larger than the limit of {limit:N0} bytes."),
        "file_too_large");
}
