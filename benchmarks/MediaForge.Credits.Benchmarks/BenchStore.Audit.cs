namespace MediaForge.Credits.Benchmarks;

/// <summary>The audit every cell ends with: balances against the ledger, overdrafts, charges.</summary>
internal abstract partial class BenchStore
{
    /// <summary>Balance against the ledger for every user whose id starts with <paramref name="prefix"/>.</summary>
    public async Task<Audit> AuditAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*),
                   COALESCE(SUM(CASE WHEN c.balance <> COALESCE(l.s, 0) THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(c.balance - COALESCE(l.s, 0)), 0),
                   COALESCE(SUM(CASE WHEN c.balance < 0 OR COALESCE(l.s, 0) < 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(l.n), 0)
            FROM credits c
            LEFT JOIN (SELECT user_id, SUM(amount) AS s, SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS n
                       FROM credit_transactions WHERE user_id LIKE @p GROUP BY user_id) l ON l.user_id = c.user_id
            WHERE c.user_id LIKE @p
            """;
        Add(command, "p", prefix + "%");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Audit(
            Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <param name="Users">Users checked.</param>
/// <param name="Mismatched">Users whose balance differs from the sum of their ledger.</param>
/// <param name="LostCredits">Σ (balance − Σ ledger): credits charged in the ledger but never taken from the balance.</param>
/// <param name="Negative">Users with a negative balance or a negative ledger sum (overdrafts).</param>
/// <param name="Charges">Usage rows in the ledger.</param>
internal sealed record Audit(long Users, long Mismatched, long LostCredits, long Negative, long Charges);
