using Microsoft.EntityFrameworkCore.Metadata;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The hold statements (decision 0047): the reserve of a user's spendable credits, the reservation row's insert and
/// read, the balance row's lock, a capture's status change, the freeing of held credits with the balance read back, the
/// charge and the capture's link to its ledger row. The same conditions as the LINQ they replace, as built-once
/// statements the ledger runs (prepared on PostgreSQL, as provider commands on SQLite and PostgreSQL).
/// </summary>
internal sealed class CreditHoldSql
{
    public CreditHoldSql(CreditLedgerSchema schema)
    {
        var (accounts, users) = (schema.Accounts, schema.Users);
        var holds = new LedgerTableNames(accounts.EntityType.Model, typeof(CreditReservation), schema.Helper);
        var (reserved, updatedAt, accountUser, balance) = (schema.Reserved, schema.UpdatedAt, schema.AccountUser, schema.Balance);
        string H(string property) => holds.Column(property);
        IProperty A(string property) => accounts.Property(property);
        IProperty R(string property) => holds.Property(property);

        // {0} user id, {1} amount, {2} now, {3} true: the debit's conditions (spendable credits, no unrecorded lapse, not admin).
        Hold = schema.Statement(
            $"UPDATE {accounts.Table} SET {reserved} = {reserved} + {{1}}, {updatedAt} = {{2}}" + schema.DebitWhere("{0}", "{1}", "{2}", "{3}"),
            [A(nameof(CreditAccount.UserId)), A(nameof(CreditAccount.Reserved)), A(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin))]);

        // {0} user id, {1} now: a no-op update that locks the balance row until the transaction ends.
        Lock = schema.Statement($"UPDATE {accounts.Table} SET {updatedAt} = {{1}} WHERE {accountUser} = {{0}}",
            [A(nameof(CreditAccount.UserId)), A(nameof(CreditAccount.UpdatedAt))]);

        // {0} user id, {1} credits freed, {2} now; the balance after (RETURNING, or read back under the lock on MySQL).
        Free = schema.Statement(
            $"UPDATE {accounts.Table} SET {reserved} = {reserved} - {{1}}, {updatedAt} = {{2}}" + schema.Output(balance)
            + $" WHERE {accountUser} = {{0}}" + schema.Returning(balance) + schema.ReadBack("{0}"),
            [A(nameof(CreditAccount.UserId)), A(nameof(CreditAccount.Reserved)), A(nameof(CreditAccount.UpdatedAt))]);

        // {0} user id, {1} credits charged.
        Charge = schema.Statement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} - {{1}}, {schema.Consumed} = {schema.Consumed} + {{1}} WHERE {accountUser} = {{0}}",
            [A(nameof(CreditAccount.UserId)), A(nameof(CreditAccount.Balance))]);

        // {0} hold id, {1} Captured, {2} now, {3} charge, {4} Active: wins the hold only while active and not lapsed.
        Capture = schema.Statement(
            $"UPDATE {holds.Table} SET {H(nameof(CreditReservation.Status))} = {{1}}, {H(nameof(CreditReservation.SettledAt))} = {{2}},"
            + $" {H(nameof(CreditReservation.CapturedAmount))} = {{3}} WHERE {H(nameof(CreditReservation.Id))} = {{0}}"
            + $" AND {H(nameof(CreditReservation.Status))} = {{4}} AND {H(nameof(CreditReservation.ExpiresAt))} > {{2}}",
            [R(nameof(CreditReservation.Id)), R(nameof(CreditReservation.Status)), R(nameof(CreditReservation.SettledAt)),
             R(nameof(CreditReservation.CapturedAmount)), R(nameof(CreditReservation.Status))]);

        // {0} hold id, {1} ledger row id.
        Link = schema.Statement(
            $"UPDATE {holds.Table} SET {H(nameof(CreditReservation.TransactionId))} = {{1}} WHERE {H(nameof(CreditReservation.Id))} = {{0}}",
            [R(nameof(CreditReservation.Id)), R(nameof(CreditReservation.TransactionId))]);

        var (insertText, insertColumns) = CreditLedgerSchema.Insert(holds);
        Insert = schema.Statement(insertText, insertColumns);

        // {0} hold id: the columns of CreditReservationRow, in its constructor's order.
        RowColumns = [.. new[]
        {
            nameof(CreditReservation.Id), nameof(CreditReservation.UserId), nameof(CreditReservation.Feature), nameof(CreditReservation.Model),
            nameof(CreditReservation.Amount), nameof(CreditReservation.IsUnlimited), nameof(CreditReservation.Status),
            nameof(CreditReservation.CapturedAmount), nameof(CreditReservation.TransactionId), nameof(CreditReservation.ExpiresAt),
            nameof(CreditReservation.MemberId), nameof(CreditReservation.CreatedAt), nameof(CreditReservation.LimitCounted),
            nameof(CreditReservation.IdempotencyKey),
        }.Select(R)];
        Find = schema.Statement(
            $"SELECT {string.Join(", ", RowColumns.Select(c => H(c.Name)))} FROM {holds.Table} WHERE {H(nameof(CreditReservation.Id))} = {{0}}",
            [R(nameof(CreditReservation.Id))]);
    }

    public SqlStatement Hold { get; }

    public SqlStatement Lock { get; }

    public SqlStatement Free { get; }

    public SqlStatement Charge { get; }

    public SqlStatement Capture { get; }

    public SqlStatement Link { get; }

    /// <summary>The reservation row's insert: every column, in <see cref="SqlStatement.Parameters"/>' order.</summary>
    public SqlStatement Insert { get; }

    /// <summary>The reservation row as <see cref="Holds.CreditReservationRow"/> reads it, by id.</summary>
    public SqlStatement Find { get; }

    /// <summary>The model properties of <see cref="Find"/>'s columns, in order.</summary>
    public IProperty[] RowColumns { get; }
}
