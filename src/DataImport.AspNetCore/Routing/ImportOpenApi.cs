using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataImport.AspNetCore;

/// <summary>
/// Describes the import's multipart body in the host's OpenAPI document (when it has one: <c>AddOpenApi()</c>,
/// <c>MapOpenApi()</c>). The endpoint reads the body itself (streaming), so it declares no body parameter.
/// </summary>
internal static class ImportOpenApi
{
    public static Task DescribeImportFormAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
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
                ["encoding"] = Text("the file's encoding when not UTF-8 or UTF-16 with a BOM, e.g. windows-1252"),
                ["dryRun"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "the file; any order, last is cheapest" },
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = schema } },
        };
        return Task.CompletedTask;
    }
}
