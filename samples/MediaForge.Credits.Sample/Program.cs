// MediaForge.Credits web sample: the whole credit flow in a browser, offline, with no keys.
//   dotnet run --project samples/MediaForge.Credits.Sample
// Everything a host needs is in CreditsSample.CreateAsync below; Demo*.cs and Pages/ are the sample's own demo UI.
using MediaForge.Credits.Sample;

var app = await CreditsSample.CreateAsync(WebApplication.CreateBuilder(args));
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"MediaForge.Credits sample is running: open {string.Join(" or ", app.Urls)} in a browser (Ctrl+C stops it)."));
await app.RunAsync();

namespace MediaForge.Credits.Sample
{
    using MediaForge.Credits.Entities;
    using MediaForge.Credits.Storage;
    using Microsoft.AspNetCore.Authentication.Cookies;
    using Microsoft.AspNetCore.Authentication.JwtBearer;
    using Microsoft.EntityFrameworkCore;

    /// <summary>How the sample host adopts MediaForge.Credits (the browser tests start it the same way).</summary>
    public static class CreditsSample
    {
        /// <summary>Configures <paramref name="builder"/> and returns the app, its database set up.</summary>
        public static async Task<WebApplication> CreateAsync(WebApplicationBuilder builder)
        {
            // 1. Storage: a SQLite file in App_Data (or ConnectionStrings:Credits, e.g. a PostgreSQL database with UseNpgsql).
            var database = Path.Combine(builder.Environment.ContentRootPath, "App_Data", "credits.db");
            Directory.CreateDirectory(Path.GetDirectoryName(database)!);
            var connectionString = builder.Configuration.GetConnectionString("Credits") ?? $"Data Source={database}";
            builder.Services.AddDbContextPool<CreditsDbContext>(o => o.UseSqlite(connectionString));

            // 2. Credits + endpoints; binds MediaForge:Credits and STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, CLERK_WEBHOOK_SECRET.
            //    In production set MediaForge:Credits:Http:PublicBaseUrl (Stripe's return URLs) and AllowedHosts to your host name.
            builder.Services.AddMediaForgeCredits(builder.Configuration).UseEntityFrameworkCore<CreditsDbContext>();
            builder.Services.Configure<CreditsOptions>(o =>
            {
                o.Referrals.Enabled = true;                                    // /?ref=CODE links: the friend gets 10 at sign-up,
                o.Referrals.RefereeBonus = 10;                                 // the referrer 25 when the friend first buys a pack
                o.Referrals.ReferrerReward = 25;
                o.Gifts.Enabled = true;                                        // /?gift=CODE links: send credits or buy a pack as a gift
                o.Teams.Enabled = true;                                        // team wallets: /api/credits/teams/*, wallet="team:{id}"
                o.Events.LowBalanceThreshold = 20;                             // <credit-display> shows "Low" below 20; LowBalance events
                o.DefaultPlans.Add(new CreditPlan                              // a monthly plan: 500 credits, up to 250 unused roll over
                {
                    Id = "creator", Name = "Creator", Description = "500 credits every month", StripePriceId = "price_creator_monthly",
                    CreditsPerPeriod = 500, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 250, PriceCents = 1900,
                });
            });

            // 3. Development only: a local test checkout instead of Stripe (until STRIPE_SECRET_KEY is set) and signed Clerk sign-ups.
            var development = builder.Environment.IsDevelopment();
            if (development)
            {
                builder.Services.AddCreditsDevelopmentGateway();
            }

            // 4. Identity: Clerk session tokens when CLERK_AUTHORITY is set, otherwise the demo cookie sign-in (and, in Development,
            //    bearer tokens from `dotnet user-jwts` for calling the API with curl or a front end).
            var clerkAuthority = builder.Configuration["CLERK_AUTHORITY"];
            if (clerkAuthority is not null)
            {
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
                {
                    o.Authority = clerkAuthority;                               // https://your-instance.clerk.accounts.dev
                    o.TokenValidationParameters.ValidateAudience = false;       // Clerk session tokens carry no audience
                    o.TokenValidationParameters.RoleClaimType = "role";         // a session-token template claim, for the admin policy
                });
            }
            else
            {
                var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
                {
                    o.Cookie.Name = "mediaforge-demo";
                    o.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                    o.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
                    if (development)
                    {
                        // A request with "Authorization: Bearer ..." is signed in by the JWT scheme below instead of the cookie.
                        o.ForwardDefaultSelector = context =>
                            context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal) ? JwtBearerDefaults.AuthenticationScheme : null;
                    }
                });
                if (development)
                {
                    // Local API sign-in: `dotnet user-jwts create --name user_123` (add `--role admin` for the admin endpoints)
                    // writes Authentication:Schemes:Bearer (appsettings.Development.json + user secrets), which AddJwtBearer() reads.
                    authentication.AddJwtBearer();
                }
            }

            // 5. The OpenAPI document of every endpoint (/openapi/v1.json): request, response and problem types, enums by name.
            builder.Services.AddOpenApi();

            var app = builder.Build();
            await app.Services.InitializeCreditsAsync(createSchema: true);     // production: your own EF migrations
            app.UseStatusCodePages();                                           // empty 4xx answers (401, 403, 415...) get problem details
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapOpenApi();                                                   // /openapi/v1.json: generate a typed client from it
            app.MapCreditEndpoints();                                           // /api/credits/* (referrals, gifts and teams included), /api/stripe/*, /api/webhooks/clerk
            app.MapCreditComponents();                                          // /_mediaforge/credits.js: <credit-display>, <credit-purchase>, <credit-referral>, <credit-gift>
            app.MapCreditsAdminEndpoints();                                     // /api/credits/admin/*: analytics, exports, reconciliation (admins)
            app.MapCreditsDashboard();                                          // /credits/admin: the admin dashboard (sign in as the demo admin)
            if (development)
            {
                app.MapCreditsDevelopmentGateway();                             // /_mediaforge/checkout/{id}: the test checkout page
            }

            app.MapDemoAccount(demoSignIn: development && clerkAuthority is null); // /demo/me, /demo/sign-in, /demo/sign-out
            app.MapSimulatedFeatures();                                         // POST /api/demo/features/{feature}/{model}: the "AI jobs"
            app.MapDemoPage();                                                  // GET /: the demo page
            return app;
        }
    }
}
