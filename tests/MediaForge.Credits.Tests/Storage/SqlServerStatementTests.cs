using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// SQL Server keeps its generic path without a server to run on (none runs on Debian): its provider generates the
/// schema and the ledger statements offline, and these tests check what it would send.
/// </summary>
public sealed class SqlServerStatementTests
{
    [Fact]
    public void Schema_OnSqlServer_KeepsTheFilteredUniqueKeys()
    {
        using var db = Context();

        var script = db.Database.GenerateCreateScript();

        Assert.Contains("CREATE UNIQUE INDEX [IX_credit_transactions_user_id_idempotency_key] ON [credit_transactions] ([user_id], [idempotency_key]) WHERE idempotency_key IS NOT NULL;", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_usage_logs_user_id_idempotency_key] ON [usage_logs] ([user_id], [idempotency_key]) WHERE idempotency_key IS NOT NULL;", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [credits]", script, StringComparison.Ordinal);
    }

    [Fact]
    public void BalanceUpdates_OnSqlServer_ReturnTheNewBalanceWithOutputInserted()
    {
        using var db = Context();

        var sql = CreditLedgerSql.For(db);

        foreach (var statement in new[] { sql.Balances.Debit, sql.Balances.Credit })
        {
            Assert.Contains("OUTPUT INSERTED.[balance] AS [Balance], INSERTED.[next_expiry_at] AS [NextExpiryAt] WHERE [user_id] = ", statement.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("RETURNING", statement.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("ROW_COUNT()", statement.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Appends_OnSqlServer_WriteNoRollUpAndNoUpsert()
    {
        using var db = Context();

        var sql = CreditLedgerSql.For(db);

        Assert.Equal(0, sql.UsageHourShards);
        Assert.Null(sql.Deductions);
        Assert.Null(sql.DebitBatches);
        var append = sql.Appends.AppendUsage(withTransaction: true, charged: true).Text;
        Assert.DoesNotContain("credit_usage_hours", append, StringComparison.Ordinal);
        Assert.DoesNotContain("ON CONFLICT", append, StringComparison.Ordinal);
        Assert.DoesNotContain("INSERT IGNORE", sql.Balances.EnsureAccount.Text, StringComparison.Ordinal);
    }

    private static CreditsDbContext Context() =>
        new(new DbContextOptionsBuilder<CreditsDbContext>().UseSqlServer("Server=nowhere;Database=credits").Options);
}
