using MediaForge.Credits.AspNetCore.Events;
using MediaForge.Credits.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.AspNetCore.Tests.Events;

/// <summary>Outbound webhook endpoints come from configuration and are checked at start-up.</summary>
public sealed class WebhookOptionsTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddMediaForgeCredits(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddMediaForgeCredits_WebhooksSection_BindsTheEndpoints()
    {
        using var provider = Build(new()
        {
            ["MediaForge:Credits:Webhooks:Endpoints:0:Name"] = "billing",
            ["MediaForge:Credits:Webhooks:Endpoints:0:Url"] = "https://billing.example/hooks",
            ["MediaForge:Credits:Webhooks:Endpoints:0:Secret"] = Secret,
            ["MediaForge:Credits:Webhooks:Endpoints:0:EventTypes:0"] = "credits.low_balance",
        });

        var endpoint = Assert.Single(provider.GetRequiredService<IOptions<CreditWebhookOptions>>().Value.Endpoints);

        Assert.Equal(("billing", "https://billing.example/hooks", "credits.low_balance"), (endpoint.Name, endpoint.Url, Assert.Single(endpoint.EventTypes)));
    }

    [Fact]
    public void AddMediaForgeCredits_RegistersTheSenderAsAHandlerOfEveryEvent()
    {
        var services = new ServiceCollection();
        services.AddMediaForgeCredits(new ConfigurationBuilder().Build());

        Assert.Contains(services, d => d.ServiceType == typeof(ICreditEventHandler<CreditEvent>) && d.ImplementationType == typeof(CreditWebhookSender));
    }

    [Theory]
    [InlineData("billing", "ftp://billing.example/hooks", Secret, "absolute http or https Url")]
    [InlineData("billing", "/hooks", Secret, "absolute http or https Url")]
    [InlineData("billing", "https://billing.example/hooks", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Secret of 'whsec_'")]
    [InlineData("billing", "https://billing.example/hooks", "whsec_c2hvcnQ=", "Secret of 'whsec_'")]
    [InlineData("bill ing", "https://billing.example/hooks", Secret, "letters, digits")]
    public void Validate_BadEndpoint_FailsNamingTheProblem(string name, string url, string secret, string problem)
    {
        var options = new CreditWebhookOptions();
        options.Endpoints.Add(new CreditWebhookEndpoint { Name = name, Url = url, Secret = secret });

        var result = new CreditWebhookOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoEndpointsWithOneName_Fails()
    {
        var options = new CreditWebhookOptions();
        options.Endpoints.Add(new CreditWebhookEndpoint { Name = "a", Url = "https://a.example/", Secret = Secret });
        options.Endpoints.Add(new CreditWebhookEndpoint { Name = "a", Url = "https://b.example/", Secret = Secret });

        Assert.Contains("used more than once", new CreditWebhookOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }
}
