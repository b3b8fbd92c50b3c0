using System.Data.Common;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The schema part of <c>InitializeCreditsAsync</c> on a relational database: create the missing credit tables (or
/// upgrade version 1) when asked, refuse to start without a complete schema, and report a stale version or stale
/// derived usage data.
/// </summary>
internal sealed partial class CreditsSchemaSetup(DbContext db, ILogger logger)
{
    /// <summary>
    /// Makes sure the credit schema is complete: when <paramref name="createSchema"/>, creates the database if needed,
    /// the missing credit tables (only those) or the upgrade of version 1 or 2. Returns whether this call created or upgraded
    /// tables.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schema is still incomplete; the message says what to run.</exception>
    public async Task<bool> PrepareAsync(bool createSchema, CancellationToken cancellationToken)
    {
        if (createSchema)
        {
            await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }

        var schema = new CreditsDatabaseSchema(db);
        var gaps = await schema.InspectAsync(cancellationToken).ConfigureAwait(false);
        var changed = false;
        DbException? failure = null;
        if (createSchema && !gaps.IsComplete)
        {
            // MySQL only (its DDL is not transactional): one instance at a time, each looking again once it holds the lock.
            await using var held = await CreditsSchemaLock.AcquireAsync(db, cancellationToken).ConfigureAwait(false);
            if (held is not null)
            {
                gaps = await schema.InspectAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!gaps.IsComplete)
            {
                failure = await TryCreateOrUpgradeAsync(gaps, cancellationToken).ConfigureAwait(false);
                changed = failure is null;
                gaps = await schema.InspectAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (!gaps.IsComplete)
        {
            var message = gaps.Describe();
            LogIncomplete(message);
            throw new InvalidOperationException(message, failure);
        }

        return changed;
    }

    /// <summary>
    /// The version and derived-data problems, each logged as a warning. A complete schema with no recorded version
    /// (made by a host's migrations) and nothing stale gets the current version recorded.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckAsync(DateTime now, CancellationToken cancellationToken)
    {
        var result = await new CreditsSchemaCheck(db).CheckAsync(now, cancellationToken).ConfigureAwait(false);
        foreach (var problem in result.Problems)
        {
            LogStale(problem);
        }

        if (result.RecordedVersion is null && result.Problems.Count == 0)
        {
            db.Add(new CreditSchemaVersion { Version = CreditsSchema.CurrentVersion, AppliedAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another instance recorded it first.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return result.Problems;
    }

    /// <summary>
    /// Creates the missing tables or upgrades the older version; returns the database's error when that failed, as it
    /// does when another instance did it first on PostgreSQL (its transaction committed, this one rolled back). MySQL
    /// never had an older version: missing tables there are a creation cut short (its DDL commits statement by
    /// statement), so they are created, never taken for an upgrade.
    /// </summary>
    private async Task<DbException?> TryCreateOrUpgradeAsync(CreditsSchemaGaps gaps, CancellationToken cancellationToken)
    {
        try
        {
            var schema = new CreditsDatabaseSchema(db);
            if (gaps.OlderVersion is { } older && !CreditLedgerSchema.IsMySqlProvider(db.Database.ProviderName))
            {
                LogUpgrading(older, CreditsSchema.CurrentVersion);
                var upgrade = new MigrationBuilder(db.Database.ProviderName);
                upgrade.UpgradeCreditsSchema(older, CreditsSchema.CurrentVersion, ModelOptions());
                await schema.ExecuteAsync(upgrade.Operations, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await schema.CreateTablesAsync(gaps.MissingTables, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (DbException error)
        {
            return error;
        }
    }

    /// <summary>The prefix and schema the context's model gave the credit tables.</summary>
    private CreditsModelOptions ModelOptions()
    {
        var users = db.Model.FindEntityType(typeof(CreditUser))!;
        var table = users.GetTableName()!;
        return new CreditsModelOptions { TablePrefix = table[..^"users".Length], Schema = users.GetSchema() };
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        try
        {
            if (!await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                await creator.CreateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DbException)
        {
            // Another instance may have created the database first.
            if (!await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Critical, Message = "The credit schema is not complete: {Message}")]
    private partial void LogIncomplete(string message);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Credit usage reports cannot be trusted: {Problem}")]
    private partial void LogStale(string problem);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Upgrading the credit schema from version {From} to {Version} (tables, columns, indexes and, from version 1, the back-fill of the usage roll-up, counters and running totals)")]
    private partial void LogUpgrading(int from, int version);
}
