using System.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// How the library begins its own transactions. On MySQL / MariaDB (<see cref="CreditLedgerSchema.IsMySqlProvider"/>)
/// at READ COMMITTED: the ledger's read-after-lock steps (a conditional update or a touch takes the row lock, then a
/// read) must see the row as it is now, as they do on PostgreSQL; InnoDB's default REPEATABLE READ serves such a read
/// from the transaction's first snapshot, and a tracked read-modify-write then loses updates (decision 0042).
/// Elsewhere the provider's default (SQLite serializes writers; PostgreSQL defaults to READ COMMITTED).
/// </summary>
internal static class CreditDatabaseTransactions
{
    public static Task<IDbContextTransaction> BeginCreditTransactionAsync(this DatabaseFacade database, CancellationToken cancellationToken) =>
        CreditLedgerSchema.IsMySqlProvider(database.ProviderName)
            ? database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken)
            : database.BeginTransactionAsync(cancellationToken);
}
