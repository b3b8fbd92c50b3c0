using System.Net;
using MediaForge.Credits.Readme.Tests.Infrastructure;

namespace MediaForge.Credits.Readme.Tests;

/// <summary>
/// The README's Quick start run as written (SQLite file <c>credits.db</c> in the working directory, Development, so
/// the schema is created), behind the test's sign-in, with <c>await app.RunAsync();</c> after it.
/// </summary>
[Collection(nameof(SnippetProgramCollection))]
public sealed class QuickStartProgramTests : IAsyncLifetime
{
    private static readonly Lazy<System.Reflection.Assembly> Program = new(() => SnippetCompiler
        .Compile(ReadmeSnippets.Get("quick-start"), SnippetHarness.Program(after: "await app.RunAsync();")).Load());

    private readonly string user = "readme-" + Guid.NewGuid().ToString("N");
    private SnippetProgram app = null!;

    public async Task InitializeAsync() => app = await SnippetProgram.StartAsync(Program.Value, "--environment=Development");

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        SnippetProgram.DeleteSqliteDatabase("credits.db");
    }

    [Fact]
    public async Task PostVideo_UserWithoutCredits_Answers402()
    {
        var response = await app.PostVideoAsync(user, "a red kite");

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
    }

    [Fact]
    public async Task PostVideo_UserWith10Credits_AnswersTheVideoAndCharges8()
    {
        await app.FundAsync(user, 10);

        var response = await app.PostVideoAsync(user, "a red kite");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a red kite", await response.ReadPromptAsync());
        Assert.Equal(2, await app.BalanceAsync(user));
    }
}
