using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>
/// A sign-in whose user id the ledger refuses (longer than <see cref="CreditLimits.MaxUserIdLength"/>, or in the
/// library's reserved <c>mf:</c> space): every route of the add-on and a <c>.RequireCredits</c> endpoint answer it
/// with a client error, never a server error, and nothing changes.
/// </summary>
public sealed partial class SignedInUserIdTests(SqliteHostileCatalogueFixture fixture) : IClassFixture<SqliteHostileCatalogueFixture>
{
    public static TheoryData<string, string> RefusedUserIds => new()
    {
        { "longer than the limit", "user_" + new string('u', CreditLimits.MaxUserIdLength) },
        { "in the reserved space", "mf:team:org_shared" },
    };

    [Theory]
    [MemberData(nameof(RefusedUserIds))]
    public async Task EveryRoute_SignedInAsAUserIdTheLedgerRefuses_AnswersWithoutAServerErrorAndChangesNothing(string _, string userId)
    {
        var before = await fixture.SnapshotAsync();
        var answers = new List<string>();
        var routes = Routes().ToList();

        Assert.True(routes.Count >= 40, $"only {routes.Count} routes found");
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{\"packageId\":\"pro\",\"amount\":5,\"enabled\":false,\"code\":\"ABCD\"}", Encoding.UTF8, "application/json");
            }

            using var response = await fixture.App.Client(userId).SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                answers.Add($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.Empty(answers);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task AutoTopUp_SignedInAsATeamsWalletAccount_IsRefusedAndShowsNothingOfTheTeam()
    {
        var teamAccount = MediaForge.Credits.Teams.CreditWalletAccounts.TeamAccount(fixture.Data.SharedTeamId);

        var response = await fixture.App.Client(teamAccount).GetAsync("/api/credits/auto-top-up");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_user_id", (await ProblemAnswer.ReadAsync(response)).Code);
    }

    [Fact]
    public async Task Balance_SignedInAsAUserIdLongerThanTheLimit_Answers400InvalidUserIdWithItsTitle()
    {
        var response = await fixture.App.Client("user_" + new string('u', CreditLimits.MaxUserIdLength)).GetAsync("/api/credits/balance");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_user_id", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.Equal("The signed-in user's id is not accepted.", (await ProblemAnswer.ReadTextsAsync(response)).Title);
    }

    /// <summary>Every route the host maps, its parameters filled in (ids that exist where the catalogue made some).</summary>
    private IEnumerable<(string Method, string Path)> Routes()
    {
        foreach (var endpoint in fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var path = Parameter().Replace(endpoint.RoutePattern.RawText ?? "", m => m.Groups[1].Value switch
            {
                var name when name.Contains("team", StringComparison.OrdinalIgnoreCase) => fixture.Data.SharedTeamId,
                var name when name.Contains("id", StringComparison.OrdinalIgnoreCase) && m.Value.Contains("guid", StringComparison.Ordinal) => fixture.Data.VictimGiftId.ToString(),
                _ => "x",
            });
            foreach (var method in methods)
            {
                yield return (method, path.StartsWith('/') ? path : "/" + path);
            }
        }
    }

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();
}
