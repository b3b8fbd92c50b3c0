using MediaForge.Credits.Storage.Schema;

namespace MediaForge.Credits.DependencyInjection;

/// <summary>
/// Creates the missing credit tables on request (else refuses an incomplete schema), seeds the default catalog (the
/// seed's <c>credits:setup</c>) and reports a stale schema version or stale derived usage data.
/// </summary>
internal sealed partial class CreditsSetup(
    CreditsDbContextHandle handle,
    IOptions<CreditsOptions> options,
    FeaturePriceCache prices,
    TimeProvider time,
    ILogger<CreditsSetup> logger)
{
    private const int MaxSeedAttempts = 5;
    private readonly DbContext db = handle.Context;

    public async Task<CreditsSetupReport> RunAsync(bool createSchema, CancellationToken cancellationToken)
    {
        var relational = db.Database.IsRelational();
        var schema = relational ? new CreditsSchemaSetup(db, logger) : null;
        var schemaCreated = schema is null
            ? createSchema && await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false)
            : await schema.PrepareAsync(createSchema, cancellationToken).ConfigureAwait(false);
        if (relational && db.Database.ProviderName?.EndsWith(".Sqlite", StringComparison.Ordinal) == true)
        {
            // WAL lets readers run beside the single writer; it is a property of the database file and persists.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        var (packages, pricesInserted) = await SeedAsync(cancellationToken).ConfigureAwait(false);
        prices.Invalidate();

        var activePackages = await db.Set<CreditPackage>().CountAsync(p => p.IsActive, cancellationToken).ConfigureAwait(false);
        var activePrices = await db.Set<FeaturePrice>().CountAsync(p => p.IsActive, cancellationToken).ConfigureAwait(false);
        var flaggedAdmins = await db.Set<CreditUser>().Where(u => u.IsAdmin).Select(u => u.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (schema is not null)
        {
            problems.AddRange(await schema.CheckAsync(time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false));
        }

        if (activePackages == 0)
        {
            problems.Add("No active credit packages: users cannot buy credits.");
        }

        if (activePrices == 0)
        {
            problems.Add("No active feature prices: every deduction will fail with an unknown feature.");
        }

        var report = new CreditsSetupReport
        {
            Provider = db.Database.ProviderName ?? "unknown",
            SchemaCreated = schemaCreated,
            PackagesInserted = packages,
            PricesInserted = pricesInserted,
            ActivePackages = activePackages,
            ActivePrices = activePrices,
            AdminUsers = flaggedAdmins.Union(options.Value.AdminUserIds).Count(),
            Problems = problems,
        };
        LogSetup(report.Provider, schemaCreated, packages.Count, pricesInserted.Count, activePackages, activePrices);
        return report;
    }

    /// <summary>Inserts the default rows that are missing. A racing instance may insert the same rows: then read again and retry.</summary>
    private async Task<(List<string> Packages, List<string> Prices)> SeedAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SeedOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (attempt < MaxSeedAttempts)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<(List<string> Packages, List<string> Prices)> SeedOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var packageIds = await db.Set<CreditPackage>().Select(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var priceKeys = (await db.Set<FeaturePrice>().Select(p => new { p.Feature, p.Model }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(p => (p.Feature, p.Model)).ToHashSet();

        var newPackages = options.Value.DefaultPackages
            .Select(p => new CreditPackage
            {
                Id = CreditArguments.Name(p.Id, "packageId"),
                Name = p.Name,
                Description = p.Description,
                Credits = p.Credits,
                PriceCents = p.PriceCents,
                Currency = p.Currency.ToLowerInvariant(),
                IsFree = p.IsFree,
                OncePerUser = p.OncePerUser,
                MostPopular = p.MostPopular,
                IsActive = p.IsActive,
                CreditLifetimeDays = p.CreditLifetimeDays,
                SortOrder = p.SortOrder,
                CreatedAt = now,
                UpdatedAt = now,
            })
            .Where(p => !packageIds.Contains(p.Id))
            .ToList();
        var newPrices = options.Value.DefaultFeaturePricing
            .Select(p => new FeaturePrice
            {
                Feature = CreditArguments.Name(p.Feature, "feature"),
                Model = CreditArguments.Name(p.Model, "model"),
                Credits = p.Credits,
                Description = p.Description,
                IsActive = p.IsActive,
                CreatedAt = now,
                UpdatedAt = now,
            })
            .Where(p => !priceKeys.Contains((p.Feature, p.Model)))
            .ToList();

        // Tiers come with their package only: an existing catalogue's prices never change on start-up.
        var newTiers = options.Value.DefaultPackageTiers
            .Select(t => new CreditPackageTier { PackageId = CreditArguments.Name(t.PackageId, "packageId"), MinCredits = t.MinCredits, DiscountBasisPoints = t.DiscountBasisPoints, CreatedAt = now })
            .Where(t => newPackages.Exists(p => p.Id == t.PackageId))
            .ToList();
        var planIds = await db.Set<CreditPlan>().Select(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var newPlans = options.Value.DefaultPlans
            .Select(p => new CreditPlan
            {
                Id = CreditArguments.Name(p.Id, "planId"),
                Name = p.Name,
                Description = p.Description,
                StripePriceId = p.StripePriceId,
                CreditsPerPeriod = p.CreditsPerPeriod,
                RolloverPolicy = p.RolloverPolicy,
                RolloverCap = p.RolloverCap,
                TrialCredits = p.TrialCredits,
                PriceCents = p.PriceCents,
                Currency = p.Currency.ToLowerInvariant(),
                Interval = p.Interval,
                IsActive = p.IsActive,
                SortOrder = p.SortOrder,
                CreatedAt = now,
                UpdatedAt = now,
            })
            .Where(p => !planIds.Contains(p.Id))
            .ToList();
        if (newPackages.Count + newPrices.Count + newPlans.Count > 0)
        {
            db.AddRange(newPlans);
            db.AddRange(newPackages);
            db.AddRange(newTiers);
            db.AddRange(newPrices);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return (newPackages.ConvertAll(p => p.Id), newPrices.ConvertAll(p => $"{p.Feature}/{p.Model}"));
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Credits set up on {Provider}: schema created {SchemaCreated}, {PackagesInserted} packages and {PricesInserted} prices inserted; {ActivePackages} packages and {ActivePrices} prices active")]
    private partial void LogSetup(string provider, bool schemaCreated, int packagesInserted, int pricesInserted, int activePackages, int activePrices);
}
