namespace MediaForge.Credits.Storage.Configurations;

/// <summary>Column lengths shared by several entities.</summary>
internal static class CreditsModelLimits
{
    public const int UserId = 128;
    public const int IdempotencyKey = 200;
    public const int Reference = 255;
    public const int Name = 64;
    public const int Description = 500;
    public const int EnumName = 32;
    public const int ReferralCode = 16;
    public const int EmailHash = 64;
    public const int CodeHash = 64;
    public const int TeamId = CreditWallet.MaxTeamIdLength;
    public const int TeamName = 200;

    /// <summary>
    /// The filter of the unique (user, idempotency key) indexes: standard SQL on the fixed snake_case column name, so
    /// SQLite, PostgreSQL and SQL Server all accept it and use the index for <c>idempotency_key = @key</c>.
    /// </summary>
    public const string HasIdempotencyKey = "idempotency_key IS NOT NULL";

    /// <summary>The filter of the reservations' index of team holds still counted against a member's limit.</summary>
    public const string LimitCounted = "limit_counted";

    /// <summary>The filter of the usage logs' index by member (team uses only).</summary>
    public const string HasMemberId = "member_id IS NOT NULL";

    /// <summary>The filter of the unique gift-per-purchase index (bought gifts only).</summary>
    public const string HasPurchaseId = "purchase_id IS NOT NULL";

    /// <summary>
    /// The filter of the <c>(type, created_at, user_id, amount)</c> ledger index: every row type but usage charges
    /// (standard SQL on the fixed column name and the stored enum name).
    /// </summary>
    public const string NotUsageCharge = "type <> 'Usage'";
}
