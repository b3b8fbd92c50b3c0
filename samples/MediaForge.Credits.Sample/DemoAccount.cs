using System.Security.Claims;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace MediaForge.Credits.Sample;

/// <summary>
/// The demo sign-in (no identity provider needed): a cookie for a demo user or the demo admin, and on first sign-in a
/// Svix-signed Clerk <c>user.created</c> to the app's real Clerk webhook, which grants the 50 starter credits. The
/// delivery goes to the app's own address (its listening address or <c>MediaForge:Credits:Http:PublicBaseUrl</c>), never
/// to one built from the request's Host header. The demo user and "Teammate" then find the demo team (<see cref="DemoTeam"/>).
/// </summary>
internal static class DemoAccount
{
    public static void MapDemoAccount(this IEndpointRouteBuilder app, bool demoSignIn)
    {
        var group = app.MapGroup("/demo").WithTags("Demo");
        group.MapGet("/me", (HttpContext context) => new DemoAccountResponse(
            context.User.Identity?.IsAuthenticated == true, context.GetCreditsUserId(), context.User.FindFirstValue("name"), context.User.IsInRole("admin"), demoSignIn));
        if (!demoSignIn)
        {
            return;
        }

        group.MapPost("/sign-in", async (DemoSignInRequest? body, HttpContext context, [FromServices] IClerkDevelopmentWebhook clerk,
            [FromServices] ICreditTeamService teams, CancellationToken ct) =>
        {
            if (body?.Name?.Length > 64)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, type: "urn:mediaforge:credits:invalid_name",
                    title: "The name is too long.", detail: "Names have at most 64 characters.");
            }

            var admin = body?.Admin == true;
            var name = string.IsNullOrWhiteSpace(body?.Name) ? (admin ? "Demo Admin" : "Demo User") : body.Name.Trim();
            var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
            var userId = admin ? "user_demo_admin" : string.IsNullOrWhiteSpace(body?.Name) ? "user_demo" : "user_demo_" + slug;
            var email = userId + "@example.com";
            var claims = new List<Claim> { new("sub", userId), new("name", name), new("email", email) };
            if (admin)
            {
                claims.Add(new Claim(ClaimTypes.Role, "admin"));
            }

            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, "name", ClaimTypes.Role)));

            // What Clerk does when a user signs up: a signed webhook. Later sign-ins resend the same message: a duplicate, no new credits.
            var receipt = await clerk.SendUserCreatedAsync(userId, email, name, admin, ct);
            await DemoTeam.EnsureAsync(teams, userId, ct);
            return Results.Ok(new DemoAccountResponse(true, userId, name, admin, true, receipt.Outcome ?? "duplicate"));
        });

        group.MapPost("/sign-out", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        });
    }
}

/// <summary>Body of <c>POST /demo/sign-in</c>.</summary>
internal sealed record DemoSignInRequest(string? Name, bool Admin);

/// <summary>Who is signed in.</summary>
internal sealed record DemoAccountResponse(bool SignedIn, string? UserId, string? Name, bool IsAdmin, bool DemoSignIn, string? SignUp = null);
