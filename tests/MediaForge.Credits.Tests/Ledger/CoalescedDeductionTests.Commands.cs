using System.Data.Common;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>How many commands a batch of deductions of different users costs.</summary>
public abstract partial class CoalescedDeductionTests<TDatabase>
{
    [Fact]
    public async Task QueuedDeductionsOfDifferentUsers_AreDebitedByOneCommand()
    {
        // The fast path of each database: one statement on PostgreSQL, one debit statement on SQLite (the appends, in
        // one more, leave the balance rows alone), one command of debits on MariaDB, where each debited deduction's
        // append then updates its balance row's running totals alone. Run one by one, each has its own debit too.
        string[] names = ["a", "b", "c", "d"];
        var debits = new DebitCommands();
        var (holder, probe, services) = await StartAsync(credits: 300, observer: debits, seed: async (credits, user) =>
        {
            foreach (var name in names)
            {
                // Signed up, as a host's users are (the statement tells admins, who are not debited, by that row).
                await database.WithContextAsync(async db =>
                {
                    db.Users.Add(new CreditUser { Id = user + name, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
                    await db.SaveChangesAsync();
                });
                await credits.AddCreditsAsync(user + name, 300, CreditTransactionType.Purchase, "credits");
            }
        });

        var first = Deduct(services, holder, "job-0");
        await probe.HeldAsync();
        debits.Users = [.. names.Select(name => holder + name)];
        var queued = names.Select((name, i) => Deduct(services, holder + name, "job-" + (i + 1))).ToList();
        await QueuedAsync(services, names.Length);
        probe.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Patience);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, probe.Commits);
        Assert.Equal(database is MariaDbCreditsDatabase ? 1 + names.Length : 1, debits.Count);
        Assert.True((await database.AuditAsync(holder)).IsConsistent);
    }

    /// <summary>Counts the commands that change the balance table's rows of any of <see cref="Users"/>.</summary>
    private sealed class DebitCommands : CommandObserver
    {
        private int count;

        public string[] Users { get; set; } = [];

        public int Count => Volatile.Read(ref count);

        protected override void Executing(DbCommand command)
        {
            if (InterceptedCommand.Text(command).Contains("UPDATE credits ", StringComparison.Ordinal)
                && Users.Any(user => InterceptedCommand.CarriesAmong(command, user)))
            {
                Interlocked.Increment(ref count);
            }
        }
    }
}
