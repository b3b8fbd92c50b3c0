using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>A SQLite database file in a temporary folder (files, not <c>:memory:</c>, so concurrency is real).</summary>
public sealed class SqliteCreditsDatabase : CreditsDatabase
{
    private readonly string folder = Directory.CreateTempSubdirectory("mediaforge-credits-").FullName;

    public override string Name => "SQLite";

    public override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db")};Pooling=True;Default Timeout=60");

    public override void UseProvider(DbContextOptionsBuilder options, string connectionString) => options.UseSqlite(connectionString);

    protected override Task DropDatabasesAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
