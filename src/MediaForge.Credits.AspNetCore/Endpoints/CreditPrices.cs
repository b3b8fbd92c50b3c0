namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>Formats money (minor units + ISO currency) for display.</summary>
internal static class CreditPrices
{
    public static string Format(long cents, string currency)
    {
        var amount = (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return currency.ToLowerInvariant() switch
        {
            "usd" => "$" + amount,
            "eur" => "€" + amount,
            "gbp" => "£" + amount,
            _ => amount + " " + currency.ToUpperInvariant(),
        };
    }
}
