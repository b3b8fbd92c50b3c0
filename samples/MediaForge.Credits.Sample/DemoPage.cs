namespace MediaForge.Credits.Sample;

/// <summary>Serves the demo page (embedded, so the app runs from any folder).</summary>
internal static class DemoPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(DemoPage).Assembly.GetManifestResourceStream("MediaForge.Credits.Sample.index.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static void MapDemoPage(this IEndpointRouteBuilder app) =>
        app.MapGet("/", () => Results.Content(Html.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
}
