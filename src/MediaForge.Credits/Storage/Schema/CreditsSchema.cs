namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// The versions of the credit schema. Version 1: the tables before the analytics roll-up. Version 2: the hourly usage
/// roll-up (<c>credit_usage_hours</c>), the account's usage counters, the usage logs' running totals, the Clerk profile
/// version, the hold's requested amount, the analytics indexes and <c>credit_schema_versions</c> itself. Version 3: the
/// referral tables (<c>credit_referral_codes</c>, <c>credit_referrals</c>). Version 4: the gift table
/// (<c>credit_gifts</c>) and <c>purchases.is_gift</c>. Version 5: the team tables (<c>credit_teams</c>,
/// <c>credit_team_members</c>) and <c>purchases.purchased_by</c>. Version 6: the member who spent from a team wallet
/// (<c>usage_logs.member_id</c>, <c>credit_reservations.member_id</c>). Version 7: the index by member on
/// <c>usage_logs</c> and <c>credit_reservations.limit_counted</c>. Version 8: each lot's category and priority
/// (<c>credit_grants.category</c>, <c>credit_grants.priority</c>). Version 9: host events (the outbox
/// <c>credit_events</c>, <c>credit_alert_states</c>, <c>credit_webhook_deliveries</c>). Version 10: volume discounts (<c>credit_package_tiers</c>,
/// <c>purchases.quantity</c>). Version 11: subscriptions (<c>credit_plans</c>, <c>credit_subscriptions</c>,
/// <c>credit_subscription_periods</c>). Version 12: auto top-up (<c>credit_auto_top_ups</c>, <c>credit_top_ups</c>).
/// </summary>
internal static class CreditsSchema
{
    /// <summary>The version this library reads and writes.</summary>
    public const int CurrentVersion = 12;

    /// <summary>The table that records the versions a database was brought to (without the prefix).</summary>
    public const string VersionTable = "credit_schema_versions";

    /// <summary>The call that brings a database at <paramref name="from"/> to the current version, for messages.</summary>
    public static string UpgradeCall(int from) => $"migrationBuilder.UpgradeCreditsSchema(from: {from}, to: {CurrentVersion})";
}
