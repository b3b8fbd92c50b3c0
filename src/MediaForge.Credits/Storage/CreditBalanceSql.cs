using Microsoft.EntityFrameworkCore.Metadata;

namespace MediaForge.Credits.Storage;

/// <summary>The balance statements: the conditional debit and credit, the account's creation and the balance read.</summary>
internal sealed class CreditBalanceSql
{
    public CreditBalanceSql(CreditLedgerSchema schema)
    {
        var (accounts, users) = (schema.Accounts, schema.Users);
        var (balance, granted, updatedAt, accountUser) = (schema.Balance, schema.Granted, schema.UpdatedAt, schema.AccountUser);
        var (reserved, userId, isAdmin, nextExpiry) = (schema.Reserved, schema.UserId, schema.IsAdmin, schema.NextExpiry);

        // {0} user id, {1} amount, {2} now, {3} true
        Debit = schema.Statement(
            $"UPDATE {accounts.Table} SET {schema.DebitTake("{1}", "{2}")}"
            + schema.Output(balance)
            + schema.DebitWhere("{0}", "{1}", "{2}", "{3}")
            + schema.Returning(balance)
            + schema.ReadBack("{0}"),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin))]);

        // {0} user id, {1} amount, {2} now, {3} the highest balance the credit may start from (CreditLimits.MaxBalance - amount)
        Credit = schema.Statement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} + {{1}}, {granted} = {granted} + {{1}}, {updatedAt} = {{2}}"
            + schema.Output(balance)
            + $" WHERE {accountUser} = {{0}} AND {balance} <= {{3}}"
            + schema.Returning(balance)
            + schema.ReadBack("{0}"),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        // {0} user id, {1} false, {2} now, {3} zero
        EnsureAccount = schema.Statement(
            $"{schema.InsertOrIgnore} {users.Table} ({userId}, {isAdmin}, {users.Column(nameof(CreditUser.CreatedAt))}, {users.Column(nameof(CreditUser.UpdatedAt))})"
            + $" SELECT {{0}}, {{1}}, {{2}}, {{2}}{schema.NoTable} WHERE NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}}){schema.OnConflictDoNothing};"
            + $" {schema.InsertOrIgnore} {accounts.Table} ({accountUser}, {balance}, {reserved}, {granted}, {schema.Consumed}, {schema.UsageCount}, {schema.UsageCredits}, {accounts.Column(nameof(CreditAccount.CreatedAt))}, {updatedAt})"
            + $" SELECT {{0}}, {{3}}, {{3}}, {{3}}, {{3}}, {{3}}, {{3}}, {{2}}, {{2}}{schema.NoTable} WHERE NOT EXISTS (SELECT 1 FROM {accounts.Table} WHERE {accountUser} = {{0}}){schema.OnConflictDoNothing}",
            [users.Property(nameof(CreditUser.Id)), users.Property(nameof(CreditUser.IsAdmin)),
             users.Property(nameof(CreditUser.CreatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        // {0} user id: 1 when the user has a subscription row (the balance's plan summary is read only then), else 0.
        var subscriptions = new LedgerTableNames(accounts.EntityType.Model, typeof(CreditSubscriptionRow), schema.Helper);
        var subscriber = subscriptions.Property(nameof(CreditSubscriptionRow.UserId));
        var subscribed = $"CASE WHEN EXISTS (SELECT 1 FROM {subscriptions.Table} WHERE {subscriptions.Column(subscriber.Name)} = {{0}}) THEN 1 ELSE 0 END";
        HasSubscription = schema.Statement($"SELECT {subscribed}", [subscriber]);

        // {0} user id. One row per user row: the admin flag and, when the balance row exists, balance, held credits and
        // the next expiry (two primary-key lookups), then whether the user has a subscription row (an index lookup: the
        // balance endpoint then needs no statement of its own to know). No row: the user does not exist. The lookups
        // compare with the parameter (not a.user_id = u.id): the same rows, and PostgreSQL plans it as independent key
        // lookups, measurably cheaper per call for an unprepared statement.
        ReadAccount = schema.Statement(
            $"SELECT u.{isAdmin}, a.{balance}, a.{reserved}, a.{nextExpiry}, {subscribed} FROM {users.Table} u"
            + $" LEFT JOIN {accounts.Table} a ON a.{accountUser} = {{0}} WHERE u.{userId} = {{0}}",
            [users.Property(nameof(CreditUser.Id))]);
        ReadAccountColumns = [users.Property(nameof(CreditUser.IsAdmin)), accounts.Property(nameof(CreditAccount.Balance)),
            accounts.Property(nameof(CreditAccount.Reserved)), accounts.Property(nameof(CreditAccount.NextExpiryAt))];
        ReadsOnOwnConnection = schema.IsSqlite;

    }

    /// <summary>Whether the user has a subscription row (see <see cref="CreditLedger.HasSubscriptionAsync"/>).</summary>
    public SqlStatement HasSubscription { get; }

    public SqlStatement Debit { get; }

    public SqlStatement Credit { get; }

    public SqlStatement EnsureAccount { get; }

    /// <summary>The balance read (<see cref="CreditLedger.ReadAccountAsync"/>): admin flag, balance, reserved, next expiry, has a subscription.</summary>
    public SqlStatement ReadAccount { get; }

    /// <summary>
    /// Whether <see cref="ReadAccount"/> outside a transaction runs on a connection of its own, with the context's
    /// connection string (SQLite). EF's SQLite connection registers EF's SQL functions on every open and removes them on
    /// every close, which was more than half the CPU of a balance request in a profile; a plain connection from the same
    /// pool does neither. Only when the context has no interceptors, which would not see that connection.
    /// </summary>
    public bool ReadsOnOwnConnection { get; }

    /// <summary>The model properties of <see cref="ReadAccount"/>'s columns, in order (their value converters, if any, read them).</summary>
    public IReadOnlyList<IProperty> ReadAccountColumns { get; }
}
