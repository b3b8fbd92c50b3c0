using MediaForge.Credits.AspNetCore.Stripe;
using Stripe;
using Stripe.Checkout;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>
/// The shape check of signed Stripe events: each malformed event is refused with its own reason (the 400's detail),
/// and each well-formed one, up to the bounds, passes.
/// </summary>
public sealed class StripeEventShapeTests
{
    private static readonly string Long255 = "x" + new string('9', 254);
    private static readonly string Long256 = "x" + new string('9', 255);

    private static Event Of(string type, IHasObject? data, string? id = "evt_1") =>
        new() { Id = id!, Type = type, Data = data is null ? null! : new EventData { Object = data } };

    private static Session PaidSession(Action<Session>? change = null)
    {
        var session = new Session { Id = "cs_1", AmountTotal = 2999, Currency = "usd", PaymentStatus = "paid", PaymentIntentId = "pi_1" };
        change?.Invoke(session);
        return session;
    }

    private static Charge Charge(Action<Charge>? change = null)
    {
        var charge = new Charge { Id = "ch_1", Amount = 2999, AmountRefunded = 2999, PaymentIntentId = "pi_1" };
        change?.Invoke(charge);
        return charge;
    }

    private static PaymentIntent Intent(Action<PaymentIntent>? change = null)
    {
        var intent = new PaymentIntent { Id = "pi_1", Amount = 2999, Currency = "usd", CustomerId = "cus_1", PaymentMethodId = "pm_1" };
        change?.Invoke(intent);
        return intent;
    }

    private static Dispute Dispute(Action<Dispute>? change = null)
    {
        var dispute = new Dispute { Id = "dp_1", Amount = 2999, PaymentIntentId = "pi_1", Status = "needs_response" };
        change?.Invoke(dispute);
        return dispute;
    }

    public static TheoryData<string, Event, string> MalformedEvents => new()
    {
        { "no id", Of("checkout.session.completed", PaidSession(), id: null), "The event has no id, or an id longer than 255 characters." },
        { "blank id", Of("checkout.session.completed", PaidSession(), id: " "), "The event has no id, or an id longer than 255 characters." },
        { "id of 256", Of("checkout.session.completed", PaidSession(), id: Long256), "The event has no id, or an id longer than 255 characters." },
        { "no type", Of("", PaidSession()), "The event has no type, or a type longer than 100 characters." },
        { "type of 101", Of("t" + new string('y', 100), PaidSession()), "The event has no type, or a type longer than 100 characters." },
        { "no data", Of("checkout.session.completed", null), "The event has no data.object." },
        { "completed, a charge", Of("checkout.session.completed", Charge()), "The event's data.object is not a checkout.session." },
        { "async succeeded, a charge", Of("checkout.session.async_payment_succeeded", Charge()), "The event's data.object is not a checkout.session." },
        { "async failed, a charge", Of("checkout.session.async_payment_failed", Charge()), "The event's data.object is not a checkout.session." },
        { "expired, a charge", Of("checkout.session.expired", Charge()), "The event's data.object is not a checkout.session." },
        { "session without id", Of("checkout.session.completed", PaidSession(s => s.Id = null)), "The checkout session has no id, or one longer than 255 characters." },
        { "session id of 256", Of("checkout.session.expired", PaidSession(s => s.Id = Long256)), "The checkout session has no id, or one longer than 255 characters." },
        { "session amount -1", Of("checkout.session.completed", PaidSession(s => s.AmountTotal = -1)), "The checkout session has a negative amount." },
        { "expired session amount -1", Of("checkout.session.expired", PaidSession(s => s.AmountTotal = -1)), "The checkout session has a negative amount." },
        { "paid session without currency", Of("checkout.session.completed", PaidSession(s => s.Currency = null)), "The paid checkout session has no ISO currency." },
        { "paid session currency of 2", Of("checkout.session.completed", PaidSession(s => s.Currency = "us")), "The paid checkout session has no ISO currency." },
        { "paid session currency of 4", Of("checkout.session.async_payment_succeeded", PaidSession(s => s.Currency = "usdd")), "The paid checkout session has no ISO currency." },
        { "paid session currency with a digit", Of("checkout.session.completed", PaidSession(s => s.Currency = "us1")), "The paid checkout session has no ISO currency." },
        { "session payment intent of 256", Of("checkout.session.completed", PaidSession(s => s.PaymentIntentId = Long256)), "The payment_intent is longer than 255 characters." },
        { "payment failed, a session", Of("payment_intent.payment_failed", PaidSession()), "The event's data.object is not a payment_intent." },
        { "payment intent without id", Of("payment_intent.succeeded", Intent(i => i.Id = null)), "The payment intent has no id, or one longer than 255 characters." },
        { "payment intent id of 256", Of("payment_intent.payment_failed", Intent(i => i.Id = Long256)), "The payment intent has no id, or one longer than 255 characters." },
        { "payment intent amount -1", Of("payment_intent.succeeded", Intent(i => i.Amount = -1)), "The payment intent has a negative amount." },
        { "payment intent customer of 256", Of("payment_intent.succeeded", Intent(i => i.CustomerId = Long256)), "The customer is longer than 255 characters." },
        { "payment intent payment method of 256", Of("payment_intent.succeeded", Intent(i => i.PaymentMethodId = Long256)), "The payment_method is longer than 255 characters." },
        { "payment intent customer and payment method of 256", Of("payment_intent.succeeded", Intent(i => { i.CustomerId = Long256; i.PaymentMethodId = Long256; })), "The customer is longer than 255 characters." },
        { "refunded, a session", Of("charge.refunded", PaidSession()), "The event's data.object is not a charge." },
        { "charge amount -1", Of("charge.refunded", Charge(c => c.Amount = -1)), "The charge has a negative amount." },
        { "charge refunded -1", Of("charge.refunded", Charge(c => c.AmountRefunded = -1)), "The charge has a negative amount." },
        { "charge payment intent of 256", Of("charge.refunded", Charge(c => c.PaymentIntentId = Long256)), "The payment_intent is longer than 255 characters." },
        { "dispute created, a charge", Of("charge.dispute.created", Charge()), "The event's data.object is not a dispute." },
        { "dispute updated, a charge", Of("charge.dispute.updated", Charge()), "The event's data.object is not a dispute." },
        { "dispute closed, a charge", Of("charge.dispute.closed", Charge()), "The event's data.object is not a dispute." },
        { "dispute amount -1", Of("charge.dispute.created", Dispute(d => d.Amount = -1)), "The dispute has a negative amount." },
        { "dispute without id", Of("charge.dispute.closed", Dispute(d => d.Id = null)), "The dispute has no id, or one longer than 255 characters." },
        { "dispute id of 256", Of("charge.dispute.updated", Dispute(d => d.Id = Long256)), "The dispute has no id, or one longer than 255 characters." },
        { "dispute payment intent of 256", Of("charge.dispute.created", Dispute(d => d.PaymentIntentId = Long256)), "The payment_intent is longer than 255 characters." },
    };

    [Theory]
    [MemberData(nameof(MalformedEvents))]
    public void Problem_MalformedEvent_SaysWhy(string _, Event stripeEvent, string reason)
    {
        Assert.Equal(reason, StripeEventShape.Problem(stripeEvent));
    }

    public static TheoryData<string, Event> WellFormedEvents => new()
    {
        { "paid session", Of("checkout.session.completed", PaidSession()) },
        { "ids and references of 255", Of("checkout.session.completed", PaidSession(s => { s.Id = Long255; s.PaymentIntentId = Long255; }), id: Long255) },
        { "type of 100, unknown", Of("t" + new string('y', 99), PaidSession()) },
        { "paid session of 0 in upper-case currency", Of("checkout.session.async_payment_succeeded", PaidSession(s => { s.AmountTotal = 0; s.Currency = "EUR"; })) },
        { "paid session without payment intent", Of("checkout.session.completed", PaidSession(s => s.PaymentIntentId = null)) },
        { "unpaid session without currency", Of("checkout.session.completed", PaidSession(s => { s.PaymentStatus = "unpaid"; s.Currency = null; })) },
        { "failed session without currency", Of("checkout.session.async_payment_failed", PaidSession(s => s.Currency = null)) },
        { "expired session with no ISO currency", Of("checkout.session.expired", PaidSession(s => s.Currency = "x")) },
        { "payment intent", Of("payment_intent.payment_failed", new PaymentIntent { Id = "pi_1" }) },
        { "payment intent of 0 with customer and payment method of 255", Of("payment_intent.succeeded", Intent(i => { i.Amount = 0; i.CustomerId = Long255; i.PaymentMethodId = Long255; })) },
        { "charge of 0 refunded 0", Of("charge.refunded", Charge(c => { c.Amount = 0; c.AmountRefunded = 0; })) },
        { "charge with payment intent of 255", Of("charge.refunded", Charge(c => c.PaymentIntentId = Long255)) },
        { "charge without payment intent", Of("charge.refunded", Charge(c => c.PaymentIntentId = null)) },
        { "dispute of 0", Of("charge.dispute.created", Dispute(d => d.Amount = 0)) },
        { "dispute with id and payment intent of 255", Of("charge.dispute.closed", Dispute(d => { d.Id = Long255; d.PaymentIntentId = Long255; })) },
        { "dispute without payment intent", Of("charge.dispute.updated", Dispute(d => d.PaymentIntentId = null)) },
        { "other type, any object", Of("customer.created", new Customer { Id = "cus_1" }) },
    };

    [Theory]
    [MemberData(nameof(WellFormedEvents))]
    public void Problem_WellFormedEvent_IsNone(string _, Event stripeEvent)
    {
        Assert.Null(StripeEventShape.Problem(stripeEvent));
    }
}
