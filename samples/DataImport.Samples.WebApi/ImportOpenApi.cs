using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataImport.Samples.WebApi;

/// <summary>
/// Describes the import's multipart body in the OpenAPI document. The endpoint reads the body itself (streaming), so it
/// declares no body parameter; declaring one with <c>Accepts</c> would make routing answer 415 before the token is checked.
/// </summary>
internal sealed class ImportOpenApi : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().Any(n => n.EndpointName == "StartImport"))
        {
            static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
            var schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "type", "file", "mapping" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = Text("csv or xlsx"),
                    ["mapping"] = Text("JSON object of 1-based column index (or header) to property, e.g. {\"1\":\"Name\",\"2\":\"Email\"}"),
                    ["locale"] = Text("culture for numbers and dates, e.g. de-DE"),
                    ["timezoneOffset"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "minutes east of UTC, -840 to 840" },
                    ["mode"] = Text("by name: CreateOnly, UpdateOnly or CreateAndUpdate (default)"),
                    ["sheet"] = Text("XLSX worksheet name or 1-based index"),
                    ["hasHeaderRow"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    ["delimiter"] = Text("CSV delimiter: one character that is not a letter, digit or quote, or \\t for tab"),
                    ["dryRun"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "the file; any order, last is cheapest" },
                },
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = schema } },
            };
        }

        return Task.CompletedTask;
    }
}
