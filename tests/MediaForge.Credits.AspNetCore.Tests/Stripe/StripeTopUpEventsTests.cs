using MediaForge.Credits.AspNetCore.Stripe;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>The reason a failed top-up charge reports (the host's <c>TopUpFailed</c> event) when Stripe gives no code.</summary>
public sealed class StripeTopUpEventsTests
{
    [Theory]
    [InlineData(null, "payment_failed")]
    [InlineData("", "payment_failed")]
    [InlineData("requires_action", "requires_action")]
    public void FailureReason_WithoutDeclineOrErrorCode_IsTheIntentsStatusElsePaymentFailed(string? status, string reason)
    {
        Assert.Equal(reason, StripeTopUpEvents.Reason(new StripeError(), status));
    }
}
