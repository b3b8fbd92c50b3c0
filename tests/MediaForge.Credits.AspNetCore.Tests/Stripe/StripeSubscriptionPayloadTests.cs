using System.Text.Json;
using MediaForge.Credits.AspNetCore.Stripe;
using MediaForge.Credits.Subscriptions;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>
/// Reading Stripe's invoice and subscription objects in both API shapes: which field wins when both are there, the
/// status words, the times and their bounds.
/// </summary>
public sealed class StripeSubscriptionPayloadTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json.Replace('\'', '"')).RootElement;

    private static CreditSubscriptionInvoice Invoice(string json) => StripeSubscriptionPayload.Invoice(Json(json), 7)!;

    private static CreditSubscriptionState State(string json, bool deleted = false) => StripeSubscriptionPayload.State(Json(json), 7, deleted);

    private const string Period = "'period': { 'start': 100, 'end': 200 }";

    [Fact]
    public void Invoice_OlderSubscriptionFieldAndNewerParent_TakesTheOlderField()
    {
        var invoice = Invoice("{ 'subscription': 'sub_old', 'parent': { 'subscription_details': { 'subscription': 'sub_new' } } }");

        Assert.Equal("sub_old", invoice.SubscriptionId);
    }

    [Fact]
    public void Invoice_ItsCustomerAndBillingReason_AreRead()
    {
        var invoice = Invoice("{ 'subscription': 'sub_1', 'customer': 'cus_1', 'billing_reason': 'subscription_cycle' }");

        Assert.Equal(("cus_1", "subscription_cycle", 7L), (invoice.CustomerId, invoice.BillingReason, invoice.EventCreated));
    }

    [Theory]
    [InlineData("'price': 'price_a', 'pricing': { 'price_details': { 'price': 'price_b' } }, 'plan': 'price_c'", "price_a")]
    [InlineData("'pricing': { 'price_details': { 'price': 'price_b' } }, 'plan': 'price_c'", "price_b")]
    [InlineData("'plan': { 'id': 'price_c' }", "price_c")]
    public void Invoice_LinesPrice_IsThePriceElseThePricingsElseThePlan(string fields, string expected)
    {
        var invoice = Invoice($"{{ 'subscription': 'sub_1', 'lines': {{ 'data': [ {{ {fields}, {Period}, 'amount': 1900 }} ] }} }}");

        Assert.Equal(new CreditInvoiceLine(expected, DateTimeOffset.FromUnixTimeSeconds(100).UtcDateTime, DateTimeOffset.FromUnixTimeSeconds(200).UtcDateTime, 1900),
            Assert.Single(invoice.Lines));
    }

    [Theory]
    [InlineData("{ 'parent': { 'subscription_details': { 'subscription': 'sub_1', 'metadata': { 'user_id': 'u_parent' } } }, 'subscription_details': { 'metadata': { 'user_id': 'u_old' } } }", "u_parent")]
    [InlineData("{ 'subscription': 'sub_1', 'subscription_details': { 'metadata': { 'user_id': 'u_old' } }, 'lines': { 'data': [ { 'metadata': { 'user_id': 'u_line' } } ] } }", "u_old")]
    [InlineData("{ 'subscription': 'sub_1', 'lines': { 'data': [ { 'metadata': { 'user_id': 'u_first' } }, { 'metadata': { 'user_id': 'u_second' } } ] } }", "u_first")]
    public void Invoice_User_IsTheParentsElseTheOlderDetailsElseTheFirstLinesThatNamesOne(string json, string expected)
    {
        Assert.Equal(expected, Invoice(json).UserId);
    }

    [Fact]
    public void Invoice_AnIdLongerThan255_IsAFormatErrorSayingSo()
    {
        var error = Assert.Throws<FormatException>(() => Invoice($"{{ 'subscription': '{new string('s', 256)}' }}"));

        Assert.Equal("A value is longer than 255 characters.", error.Message);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(253402300799, true)]
    [InlineData(-1, false)]
    [InlineData(253402300800, false)]
    public void Invoice_PeriodTimes_AreUnixTimesFromZeroToTheLastSecondOf9999(long seconds, bool accepted)
    {
        var json = $"{{ 'subscription': 'sub_1', 'lines': {{ 'data': [ {{ 'price': 'price_a', 'period': {{ 'start': {seconds}, 'end': {seconds} }} }} ] }} }}";

        if (accepted)
        {
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime, Assert.Single(Invoice(json).Lines).PeriodStart);
        }
        else
        {
            Assert.Equal("A period is not a Unix time.", Assert.Throws<FormatException>(() => Invoice(json)).Message);
        }
    }

    [Fact]
    public void SubscriptionOf_OlderFieldAndNewerParent_TakesTheOlderField()
    {
        var invoice = Json("{ 'subscription': 'sub_old', 'parent': { 'subscription_details': { 'subscription': 'sub_new' } } }");

        Assert.Equal("sub_old", StripeSubscriptionPayload.SubscriptionOf(invoice));
    }

    [Fact]
    public void SubscriptionOf_OnlyTheNewerParent_TakesIt()
    {
        Assert.Equal("sub_new", StripeSubscriptionPayload.SubscriptionOf(Json("{ 'parent': { 'subscription_details': { 'subscription': 'sub_new' } } }")));
    }

    [Fact]
    public void State_ItemsPriceAndPeriod_WinOverThePlanAndTheSubscriptionsPeriod()
    {
        var state = State("{ 'id': 'sub_1', 'customer': 'cus_1', 'metadata': { 'user_id': 'u_1' }, 'status': 'active', 'current_period_start': 1, 'current_period_end': 2, "
            + "'items': { 'data': [ { 'price': { 'id': 'price_a' }, 'plan': { 'id': 'price_p' }, 'current_period_start': 100, 'current_period_end': 200 } ] } }");

        Assert.Equal(new CreditSubscriptionState("sub_1", "cus_1", "u_1", 7, "price_a", CreditSubscriptionStatus.Active,
            DateTimeOffset.FromUnixTimeSeconds(100).UtcDateTime, DateTimeOffset.FromUnixTimeSeconds(200).UtcDateTime, null), state);
    }

    [Fact]
    public void State_OlderShape_ReadsThePlanAndThePeriodOnTheSubscription()
    {
        var state = State("{ 'id': 'sub_1', 'status': 'active', 'current_period_start': 1, 'current_period_end': 2, 'items': { 'data': [ { 'plan': { 'id': 'price_p' } } ] } }");

        Assert.Equal(("price_p", DateTimeOffset.FromUnixTimeSeconds(1).UtcDateTime, DateTimeOffset.FromUnixTimeSeconds(2).UtcDateTime),
            (state.PriceId, state.PeriodStart, state.PeriodEnd));
    }

    [Fact]
    public void State_NoItems_HasNoPrice()
    {
        Assert.Null(State("{ 'id': 'sub_1', 'status': 'active', 'items': { 'data': [] } }").PriceId);
    }

    [Theory]
    [InlineData("active", CreditSubscriptionStatus.Active)]
    [InlineData("trialing", CreditSubscriptionStatus.Trialing)]
    [InlineData("past_due", CreditSubscriptionStatus.PastDue)]
    [InlineData("unpaid", CreditSubscriptionStatus.PastDue)]
    [InlineData("paused", CreditSubscriptionStatus.Paused)]
    [InlineData("canceled", CreditSubscriptionStatus.Canceled)]
    [InlineData("incomplete_expired", CreditSubscriptionStatus.Canceled)]
    [InlineData("incomplete", CreditSubscriptionStatus.Incomplete)]
    [InlineData("", CreditSubscriptionStatus.Incomplete)]
    public void State_StripesStatusWord_IsReadAsItsStatus(string word, CreditSubscriptionStatus expected)
    {
        Assert.Equal(expected, State($"{{ 'id': 'sub_1', 'status': '{word}' }}").Status);
    }

    [Fact]
    public void State_OfADeletion_IsCanceledWhateverItsStatusWord()
    {
        Assert.Equal(CreditSubscriptionStatus.Canceled, State("{ 'id': 'sub_1', 'status': 'active' }", deleted: true).Status);
    }

    [Theory]
    [InlineData("'ended_at': 300, 'canceled_at': 250", 300)]
    [InlineData("'canceled_at': 250", 250)]
    public void State_End_IsEndedAtElseCanceledAt(string fields, long expected)
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expected).UtcDateTime, State($"{{ 'id': 'sub_1', 'status': 'canceled', {fields} }}").EndedAt);
    }

    [Fact]
    public void State_WithoutId_IsAFormatErrorSayingSo()
    {
        Assert.Equal("The subscription has no id.", Assert.Throws<FormatException>(() => State("{ 'status': 'active' }")).Message);
    }
}
