namespace MediaForge.Credits.Ledger;

/// <summary>
/// Moves credits through tracked entities, for providers that run no SQL (EF InMemory in hosts' unit tests). Same
/// results as the relational ledger when used from one thread; no concurrency guarantees. Holds and expiring lots need
/// SQL (they refuse this provider with <see cref="NotSupportedException"/>), so here nothing is reserved and nothing
/// expires: the balance is what may be spent.
/// </summary>
internal sealed class TrackedCreditLedger(DbContext db) : CreditLedger
{
    public override Task<CreditLedgerScope> BeginAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new CreditLedgerScope(null));

    public override async Task<LedgerBalance?> TryDebitAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken)
    {
        var flaggedAdmin = await db.Set<CreditUser>().AnyAsync(u => u.Id == userId && u.IsAdmin, cancellationToken).ConfigureAwait(false);
        var account = await db.Set<CreditAccount>().FindAsync([userId], cancellationToken).ConfigureAwait(false);
        if (flaggedAdmin || account is null || account.Balance < amount)
        {
            if (account is not null)
            {
                db.Entry(account).State = EntityState.Detached;
            }

            return null;
        }

        account.Balance -= amount;
        account.TotalConsumed += amount;
        account.UpdatedAt = now;
        // Stryker disable once Statement : equivalent: every caller appends or saves next in the same scope, and that save writes the tracked account too
        await SaveAsync(cancellationToken, account).ConfigureAwait(false);
        return new LedgerBalance { Balance = account.Balance };
    }

    public override async Task<LedgerBalance?> TryCreditAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken)
    {
        var account = await db.Set<CreditAccount>().FindAsync([userId], cancellationToken).ConfigureAwait(false);
        if (account is null || account.Balance > CreditLimits.MaxBalance - amount)
        {
            return null;
        }

        account.Balance += amount;
        account.TotalGranted += amount;
        account.UpdatedAt = now;
        // Stryker disable once Statement : equivalent: every caller appends or saves next in the same scope, and that save writes the tracked account too
        await SaveAsync(cancellationToken, account).ConfigureAwait(false);
        return new LedgerBalance { Balance = account.Balance };
    }

    public override async Task<LedgerAccount?> ReadAccountAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await (
                from u in db.Set<CreditUser>().AsNoTracking()
                where u.Id == userId
                join a in db.Set<CreditAccount>().AsNoTracking() on u.Id equals a.UserId into accounts
                from a in accounts.DefaultIfEmpty()
                select new { u.IsAdmin, Balance = (long?)a.Balance })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : new LedgerAccount(row.IsAdmin, row.Balance, 0, null);
    }

    public override async Task EnsureAccountAsync(string userId, DateTime now, CancellationToken cancellationToken)
    {
        var added = new List<object>(2);
        if (!await db.Set<CreditUser>().AnyAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false))
        {
            added.Add(new CreditUser { Id = userId, CreatedAt = now, UpdatedAt = now });
        }

        if (!await db.Set<CreditAccount>().AnyAsync(a => a.UserId == userId, cancellationToken).ConfigureAwait(false))
        {
            added.Add(new CreditAccount { UserId = userId, CreatedAt = now, UpdatedAt = now });
        }

        db.AddRange(added);
        // Stryker disable once Statement : equivalent: every caller appends or saves next in the same scope, and that save writes the added rows too
        await SaveAsync(cancellationToken, [.. added]).ConfigureAwait(false);
    }

    public override async Task AppendAsync(CreditTransaction? transaction, UsageLog? usage, CancellationToken cancellationToken)
    {
        var rows = new List<object>(3);
        if (transaction is not null)
        {
            db.Add(transaction);
            // Stryker disable once Statement : equivalent: a ledger row is never changed once written, so a copy left tracked reads what the table holds; detaching it only frees the context
            rows.Add(transaction);
        }

        if (usage is not null)
        {
            db.Add(usage);
            rows.Add(usage);
            if (!usage.IsUnlimited)
            {
                // The running totals as the relational ledger writes them (no hourly roll-up: reports on this provider
                // read the usage logs).
                var account = await db.Set<CreditAccount>().FindAsync([usage.UserId], cancellationToken).ConfigureAwait(false);
                if (account is not null)
                {
                    account.UsageCount++;
                    account.UsageCredits += usage.CreditsUsed;
                    // Stryker disable once Equality : at equal instants either side is the same value (the reversed comparison is what InMemoryLedgerRowsTests catches)
                    account.LastUsageAt = account.LastUsageAt is { } last && last >= usage.CreatedAt ? last : usage.CreatedAt;
                    // Stryker disable once Equality : as above
                    account.FirstUsageAt = account.FirstUsageAt is { } first && first <= usage.CreatedAt ? first : usage.CreatedAt;
                    rows.Add(account);
                }

                var later = await db.Set<UsageLog>()
                    .Where(u => u.UserId == usage.UserId && u.CreatedAt > usage.CreatedAt && u.CumulativeUses != null)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in later)
                {
                    row.CumulativeUses++;
                    row.CumulativeCredits += usage.CreditsUsed;
                }

                rows.AddRange(later);
                usage.CumulativeUses = (account?.UsageCount ?? 0) - later.Count;
                usage.CumulativeCredits = (account?.UsageCredits ?? 0) - later.Sum(u => u.CreditsUsed);
            }
        }

        await SaveAsync(cancellationToken, [.. rows]).ConfigureAwait(false);
    }

    /// <summary>Saves and stops tracking the credit rows, leaving whatever else the host tracks alone.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken, params object[] rows)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var row in rows)
            {
                db.Entry(row).State = EntityState.Detached;
            }
        }
    }
}
