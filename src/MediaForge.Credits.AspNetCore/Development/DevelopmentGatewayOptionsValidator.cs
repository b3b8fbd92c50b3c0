using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Refuses to start the development gateway outside the Development environment unless allowed explicitly.</summary>
internal sealed class DevelopmentGatewayOptionsValidator(IHostEnvironment environment) : IValidateOptions<CreditsDevelopmentOptions>
{
    public ValidateOptionsResult Validate(string? name, CreditsDevelopmentOptions options)
    {
        var failures = new List<string>();
        if (!environment.IsDevelopment() && !options.AllowOutsideDevelopment)
        {
            failures.Add($"The MediaForge.Credits development gateway (AddCreditsDevelopmentGateway) simulates payments and sign-ups and " +
                $"runs only in the Development environment; this one is '{environment.EnvironmentName}'. Remove it, or set " +
                $"{CreditsDevelopmentOptions.SectionName}:AllowOutsideDevelopment=true for a demo deployment.");
        }

        foreach (var (setting, path) in new[]
                 {
                     (nameof(options.CheckoutPath), options.CheckoutPath),
                     (nameof(options.StripeWebhookPath), options.StripeWebhookPath),
                     (nameof(options.ClerkWebhookPath), options.ClerkWebhookPath),
                 })
        {
            if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/'))
            {
                failures.Add($"{setting} must be a path starting with '/'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
