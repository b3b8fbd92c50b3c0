using System.Net;
using MediaForge.Credits.Readme.Tests.Infrastructure;

namespace MediaForge.Credits.Readme.Tests;

/// <summary>
/// The README's hold pattern (the handler with <c>ICreditReservationService</c>) run in the Quick start's host: SQLite,
/// the test's sign-in and <c>VideoJobs</c> registered as the README says.
/// </summary>
[Collection(nameof(SnippetProgramCollection))]
public sealed class HoldPatternProgramTests : IAsyncLifetime
{
    private static readonly SnippetHarness Host = SnippetHarness.Program() with
    {
        Before = SnippetHarness.Program().Before + """

            builder.Services.AddSingleton<VideoJobs>();
            builder.Services.AddDbContextPool<CreditsDbContext>(o => o.UseSqlite(builder.Configuration.GetConnectionString("Credits")));
            builder.Services.AddMediaForgeCredits(builder.Configuration).UseEntityFrameworkCore<CreditsDbContext>();
            var app = builder.Build();
            await app.Services.InitializeCreditsAsync(createSchema: true);
            app.UseAuthentication();
            app.UseAuthorization();
            """,
        After = "await app.RunAsync();",
    };

    private static readonly Lazy<System.Reflection.Assembly> Program = new(() =>
        SnippetCompiler.Compile(ReadmeSnippets.Get("hold-pattern"), Host).Load());

    private readonly string database = Path.Combine(Path.GetTempPath(), $"readme-hold-{Guid.NewGuid():N}.db");
    private readonly string user = "readme-" + Guid.NewGuid().ToString("N");
    private SnippetProgram app = null!;

    public async Task InitializeAsync() =>
        app = await SnippetProgram.StartAsync(Program.Value, $"--ConnectionStrings:Credits=Data Source={database}");

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        SnippetProgram.DeleteSqliteDatabase(database);
    }

    [Fact]
    public async Task PostVideo_UserWithoutCredits_Answers402()
    {
        var response = await app.PostVideoAsync(user, "first", idempotencyKey: "retry-1");

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
    }

    [Fact]
    public async Task PostVideo_RetryWithTheSameIdempotencyKey_AnswersTheFirstJobAndChargesOnce()
    {
        await app.FundAsync(user, 8);
        await app.PostVideoAsync(user, "first", idempotencyKey: "retry-1");

        var retry = await app.PostVideoAsync(user, "second", idempotencyKey: "retry-1");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("first", await retry.ReadPromptAsync());
        Assert.Equal(0, await app.BalanceAsync(user));
    }
}
