using System.Data.Common;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The credit tables of a relational context as the database has them: which are missing, which lack columns, and
/// creating the missing ones alone (whatever else the host's context maps).
/// </summary>
internal sealed class CreditsDatabaseSchema(DbContext db)
{
    /// <summary>The entity types <c>ApplyCreditsModel</c> maps (types of this library with a table).</summary>
    private IEnumerable<IEntityType> CreditEntities => db.Model.GetEntityTypes()
        .Where(e => e.ClrType.Assembly == typeof(CreditsSchema).Assembly && e.GetTableName() is not null);

    /// <summary>
    /// Reads each credit table's columns with <c>SELECT * ... WHERE 1 = 0</c> on a plain ADO.NET command (EF would log
    /// the expected "no such table" as an error). The database must answer a plain <c>SELECT 1</c> first, so a failed
    /// probe means a missing table, not an unreachable server.
    /// </summary>
    public async Task<CreditsSchemaGaps> InspectAsync(CancellationToken cancellationToken)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await ReadColumnsAsync(connection, "SELECT 1", cancellationToken).ConfigureAwait(false);
            var missingTables = new List<string>();
            var missingColumns = new List<string>();
            foreach (var entity in CreditEntities)
            {
                var table = entity.GetTableName()!;
                var columns = await TryReadColumnsAsync(connection, $"SELECT * FROM {helper.DelimitIdentifier(table, entity.GetSchema())} WHERE 1 = 0", cancellationToken)
                    .ConfigureAwait(false);
                if (columns is null)
                {
                    missingTables.Add(table);
                    continue;
                }

                var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
                missingColumns.AddRange(entity.GetProperties().Select(p => p.GetColumnName(store)!)
                    .Where(c => !columns.Contains(c)).Select(c => $"{table}.{c}"));
            }

            return new CreditsSchemaGaps(missingTables, missingColumns);
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Creates the missing credit tables with their indexes and keys, as EF Core would create them in an empty database,
    /// and nothing else of the context's model.
    /// </summary>
    public async Task CreateTablesAsync(IReadOnlyCollection<string> tables, CancellationToken cancellationToken)
    {
        var model = db.GetService<IDesignTimeModel>().Model;
        bool Missing(string table, string? schema) =>
            tables.Contains(table) && CreditEntities.Any(e => e.GetTableName() == table && e.GetSchema() == schema);
        var schemas = CreditEntities.Where(e => tables.Contains(e.GetTableName()!)).Select(e => e.GetSchema()).ToHashSet();
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel())
            .Where(o => o switch
            {
                EnsureSchemaOperation s => schemas.Contains(s.Name),
                CreateTableOperation t => Missing(t.Name, t.Schema),
                CreateIndexOperation i => Missing(i.Table, i.Schema),
                AddForeignKeyOperation f => Missing(f.Table, f.Schema),
                _ => false,
            })
            .ToList();
        await ExecuteAsync(operations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs migration operations (the upgrade steps) on the context's connection.</summary>
    public async Task ExecuteAsync(IReadOnlyList<MigrationOperation> operations, CancellationToken cancellationToken)
    {
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, db.GetService<IDesignTimeModel>().Model);
        await db.GetService<IMigrationCommandExecutor>()
            .ExecuteNonQueryAsync(commands, db.GetService<IRelationalConnection>(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HashSet<string>?> TryReadColumnsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadColumnsAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            return null;
        }
    }

    private static async Task<HashSet<string>> ReadColumnsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }
}
