using System.Text.RegularExpressions;

namespace MediaForge.Credits.AspNetCore.Events;

/// <summary>Rejects outbound webhook endpoints that cannot work, at start-up.</summary>
internal sealed partial class CreditWebhookOptionsValidator : IValidateOptions<CreditWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, CreditWebhookOptions options)
    {
        var failures = new List<string>();
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Webhooks:Timeout must be positive and at most 5 minutes (was {options.Timeout}).");
        }

        foreach (var endpoint in options.Endpoints)
        {
            if (!EndpointName().IsMatch(endpoint.Name ?? ""))
            {
                failures.Add($"Webhook endpoint name '{endpoint.Name}' must be 1 to 64 letters, digits, '-' or '_'.");
            }

            if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || endpoint.Url.Length > 2000)
            {
                failures.Add($"Webhook endpoint '{endpoint.Name}' needs an absolute http or https Url (was '{endpoint.Url}').");
            }

            if (!CreditWebhookSignature.IsValidSecret(endpoint.Secret))
            {
                failures.Add($"Webhook endpoint '{endpoint.Name}' needs a Secret of 'whsec_' followed by base64 of 24 to 64 bytes.");
            }
        }

        failures.AddRange(options.Endpoints.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"Webhook endpoint name '{g.Key}' is used more than once."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex EndpointName();
}
