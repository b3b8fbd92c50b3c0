using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Teams;

/// <summary>
/// The provider-specific statements of a team spend's first locks (decisions 0042 and 0048): on MariaDB the team row's
/// shared lock, and on PostgreSQL the locks of several member rows of one team in one statement, in user id order.
/// </summary>
internal static class CreditTeamMemberLocks
{
    /// <summary>
    /// On MariaDB, takes the team row's shared lock (nothing elsewhere). InnoDB takes a shared lock on the team row when a
    /// statement on a member's row reads it in a subquery (the limit check), which PostgreSQL does not: taken first, a
    /// spend waits behind a removal's team lock instead of holding the member row it wants (a deadlock; decision 0042).
    /// </summary>
    public static async Task ShareTeamRowAsync(DbContext db, string teamId, CancellationToken cancellationToken)
    {
        if (CreditLedgerSchema.IsMySqlProvider(db.Database.ProviderName))
        {
            var teams = new LedgerTableNames(db.Model, typeof(CreditTeamRow), db.GetService<ISqlGenerationHelper>());
            var share = $"SELECT 1 FROM {teams.Table} WHERE {teams.Column(nameof(CreditTeamRow.Id))} = {{0}} LOCK IN SHARE MODE";
            await db.Database.ExecuteSqlRawAsync(share, [teamId], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On PostgreSQL, locks the rows of those of <paramref name="userIds"/> who are active members of the team while the
    /// team is active (the conditions of <see cref="CreditTeamSpending.LockMemberAsync"/>'s update, with the same
    /// lock strength: <c>FOR NO KEY UPDATE</c>), one row after another in byte order of the user id (<c>COLLATE "C"</c>:
    /// the ordinal order a batch took them in one by one), whatever plan reads them; and returns whose rows it locked.
    /// </summary>
    public static async Task<HashSet<string>> LockInOrderAsync(DbContext db, string teamId, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var (members, teams) = (new LedgerTableNames(db.Model, typeof(CreditTeamMemberRow), helper), new LedgerTableNames(db.Model, typeof(CreditTeamRow), helper));
        var status = teams.Property(nameof(CreditTeamRow.Status));
        var active = status.GetTypeMapping().Converter!.ConvertToProvider(CreditTeamStatus.Active)!;
        var (userId, value) = ($"m.{members.Column(nameof(CreditTeamMemberRow.UserId))}", helper.DelimitIdentifier("Value"));
        var ids = string.Join(", ", userIds.Select((_, i) => $"{{{i + 2}}}"));
        // Stryker disable once String : the lock and its order are what decision 0048 argues against deadlocks with other batches and team changes; tests do not provoke races (no timing in tests)
        var inOrder = $" ORDER BY {userId} COLLATE \"C\" FOR NO KEY UPDATE OF m";
        var sql = $"SELECT {userId} AS {value} FROM {members.Table} AS m WHERE m.{members.Column(nameof(CreditTeamMemberRow.TeamId))} = {{0}} AND {userId} IN ({ids})"
            + $" AND m.{members.Column(nameof(CreditTeamMemberRow.RemovedAt))} IS NULL"
            + $" AND EXISTS (SELECT 1 FROM {teams.Table} AS t WHERE t.{teams.Column(nameof(CreditTeamRow.Id))} = {{0}} AND t.{teams.Column(nameof(CreditTeamRow.Status))} = {{1}})"
            + inOrder;
        var locked = await db.Database.SqlQueryRaw<string>(sql, [teamId, active, .. userIds]).ToListAsync(cancellationToken).ConfigureAwait(false);
        return locked.ToHashSet(StringComparer.Ordinal);
    }
}
