namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>The <c>page</c> and <c>pageSize</c> query parameters, parsed here so that any bad value is a 400 problem.</summary>
internal readonly record struct CreditPaging(int Page, int PageSize, ProblemHttpResult? Problem)
{
    /// <summary>The highest page a client may ask for (the core's bound).</summary>
    public const int MaxPage = 100_000;

    public const int MaxPageSize = 500;

    public const int DefaultPageSize = 50;

    public static CreditPaging Parse(string? page, string? pageSize) =>
        TryParse(page, 1, MaxPage, 1, out var number) && TryParse(pageSize, 1, MaxPageSize, DefaultPageSize, out var size)
            ? new CreditPaging(number, size, null)
            : new CreditPaging(0, 0, CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_page", "The page is invalid.",
                $"page must be a whole number from 1 to {MaxPage} and pageSize from 1 to {MaxPageSize}."));

    /// <summary>Runs a paged query, or answers the 400 problem of a bad page.</summary>
    public static async Task<Results<Ok<CreditPage<T>>, ProblemHttpResult>> QueryAsync<T>(string? page, string? pageSize,
        Func<int, int, Task<CreditPage<T>>> query)
    {
        var paging = Parse(page, pageSize);
        return paging.Problem is { } problem ? problem : TypedResults.Ok(await query(paging.Page, paging.PageSize).ConfigureAwait(false));
    }

    private static bool TryParse(string? text, int min, int max, int fallback, out int value)
    {
        value = fallback;
        return text is null || (text.Length <= 10 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }
}
