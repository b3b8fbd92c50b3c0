namespace MediaForge.Credits.Storage;

/// <summary>
/// One hour of usage of one feature and model (table <c>credit_usage_hours</c>): the roll-up of <c>usage_logs</c> that
/// the usage report reads. Written by the ledger with an upsert in the same command and transaction as every usage
/// log, so it always equals the aggregate of the logs of that hour. Split by <see cref="Shard"/> (a stable hash of the
/// user id) so that concurrent uses of different users do not all wait on one row lock on PostgreSQL; readers sum
/// the shards.
/// </summary>
internal sealed class CreditUsageHour
{
    /// <summary>
    /// How many shards per hour, feature and model on databases with row locks (one where writers serialize anyway).
    /// The same as the deduction batcher's lanes there, with the same hash: a lane writes only its own shard, so two
    /// lanes of one process never wait for each other on a roll-up row.
    /// </summary>
    public const int Shards = 64;

    /// <summary>The start of the hour (UTC).</summary>
    public DateTime HourStart { get; set; }

    /// <summary>The feature.</summary>
    public string Feature { get; set; } = "";

    /// <summary>The model.</summary>
    public string Model { get; set; } = "";

    /// <summary>Whether these are unlimited (admin) uses.</summary>
    public bool IsUnlimited { get; set; }

    /// <summary><see cref="ShardOf"/> of the users counted in this row.</summary>
    public int Shard { get; set; }

    /// <summary>How many usage logs.</summary>
    public long Uses { get; set; }

    /// <summary>Σ <c>credits_used</c>.</summary>
    public long Credits { get; set; }

    /// <summary>Σ <c>price</c> (the value of unlimited uses).</summary>
    public long Value { get; set; }

    /// <summary>The start of the UTC hour that holds <paramref name="value"/>.</summary>
    public static DateTime HourOf(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);

    /// <summary>A stable shard of a user id: FNV-1a (32 bit) over its UTF-16 code units, modulo <paramref name="shards"/>.</summary>
    public static int ShardOf(string userId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }
}
