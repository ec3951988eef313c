using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>
/// The paging rule of every list endpoint: <c>page</c> counts from 1 (default 1) and <c>pageSize</c> is 1 to 1000 (default
/// 50); any other value is a 400 naming the parameter. A page past the last one is empty.
/// </summary>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PageSize">The page size.</param>
internal readonly record struct ApiPaging(int Page, int PageSize)
{
    private const int MaxPageSize = 1000;

    /// <summary>Gets how many items come before the page; a long, as the last int page of the largest size is past int.</summary>
    public long Skip => ((long)Page - 1) * PageSize;

    public ApiPagination Of(long total) => new() { Page = Page, PageSize = PageSize, Total = total, TotalPages = (total + PageSize - 1) / PageSize };

    public static (ApiPaging Paging, IResult? Failure) Parse(string? page, string? pageSize, ApiResults results)
    {
        var problems = new List<ApiError>();
        var p = Number(page, 1);
        if (p is null or < 1)
        {
            problems.Add(new ApiError { Field = "page", Code = ImportProblemCodes.InvalidOption, Message = $"'{page}' is not a page: a whole number from 1." });
        }

        var size = Number(pageSize, 50);
        if (size is null or < 1 or > MaxPageSize)
        {
            problems.Add(new ApiError { Field = "pageSize", Code = ImportProblemCodes.InvalidOption, Message = $"'{pageSize}' is not a page size: a whole number from 1 to {MaxPageSize}." });
        }

        return problems.Count > 0
            ? (default, results.Fail(StatusCodes.Status400BadRequest, problems.Count == 1 ? problems[0].Message : "Invalid paging.", problems))
            : (new ApiPaging(p!.Value, size!.Value), null);
    }

    private static int? Number(string? text, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        // Digits beyond int are a page no list reaches; they are read as the largest int, which gives an empty page.
        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : text.Trim().All(char.IsAsciiDigit) ? int.MaxValue : null;
    }
}
