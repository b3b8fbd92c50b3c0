using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>One hostile request: who sends it, how it is built against the catalogue's data, and the 4xx it must get.</summary>
public sealed record HostileRequest(string? User, bool Admin, HttpStatusCode Expected, Func<HostileCatalogueData, HttpRequestMessage> Build);

/// <summary>
/// The data the hostile requests aim at: a victim with credits and an open checkout, an attacker with credits.
/// The teams: the victim's team with the attacker as a plain member, the victim's private team, and the attacker's own team.
/// </summary>
public sealed record HostileCatalogueData(string Victim, string Attacker, string VictimSessionId, IReadOnlyDictionary<string, string> VictimMetadata,
    Guid VictimGiftId, string SharedTeamId, string PrivateTeamId, string AttackerTeamId);

/// <summary>
/// The bad-input catalogue: every Stripe and Svix signature failure mode, malformed, oversized and mistyped bodies,
/// signed events that cannot apply, foreign checkout sessions, paging extremes, unknown/huge/unicode feature names,
/// bad Idempotency-Key headers, wrong content types, gift and referral requests with bad amounts, codes and ids or
/// aimed at another user's gift, and team requests (<see cref="TeamRequests"/>). Each must get a 4xx problem answer and change nothing.
/// </summary>
public static partial class HostileRequestCatalogue
{
    public const string KeyedPath = "/test/keyed";

    public const string RenderPath = "/test/render";

    private static readonly HttpStatusCode BadRequest = HttpStatusCode.BadRequest;

    private static readonly string Huge = new('x', 10_000);

    public static IReadOnlyDictionary<string, HostileRequest> Requests { get; } = new Dictionary<string, HostileRequest>(TeamRequests().Concat(AutoTopUpRequests()))
    {
        // Stripe signatures.
        ["stripe_signature_missing"] = Anonymous(BadRequest, d => StripePost(Paid(d), signature: null)),
        ["stripe_signature_malformed_header"] = Anonymous(BadRequest, d => StripePost(Paid(d), signature: "this is not a signature")),
        ["stripe_signature_timestamp_not_a_number"] = Anonymous(BadRequest, d => StripePost(Paid(d), signature: "t=abc,v1=" + new string('0', 64))),
        ["stripe_signature_timestamp_too_old"] = Anonymous(BadRequest, d => Signed(Paid(d), signedAt: DateTimeOffset.UtcNow.AddHours(-1))),
        ["stripe_signature_wrong_secret"] = Anonymous(BadRequest, d => Signed(Paid(d), secret: "whsec_attacker_secret")),
        ["stripe_signature_tampered_body"] = Anonymous(BadRequest, d =>
        {
            var json = Paid(d);
            var signature = EventUtility.GenerateSignatureHeader(json, CreditsApp.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            return StripePost(json.Replace("\"amount_total\":2999", "\"amount_total\":1", StringComparison.Ordinal), signature);
        }),
        ["stripe_signature_v0_scheme_only"] = Anonymous(BadRequest, d => StripePost(Paid(d),
            signature: $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v0=" + new string('a', 64))),
        ["stripe_signature_empty_header"] = Anonymous(BadRequest, d => StripePost(Paid(d), signature: "")),

        // Signed Stripe bodies that are not events, or events that cannot apply.
        ["stripe_signed_body_not_json"] = Anonymous(BadRequest, _ => Signed("{not json")),
        ["stripe_signed_body_json_array"] = Anonymous(BadRequest, _ => Signed("[]")),
        ["stripe_signed_body_empty"] = Anonymous(BadRequest, _ => Signed("")),
        ["stripe_event_without_id"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e.Remove("id")))),
        ["stripe_event_id_huge"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e["id"] = "evt_" + Huge))),
        ["stripe_event_without_type"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e.Remove("type")))),
        ["stripe_event_without_data"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e.Remove("data")))),
        ["stripe_session_without_currency"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e["data"]!["object"]!.AsObject().Remove("currency")))),
        ["stripe_session_negative_amount"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e => e["data"]!["object"]!["amount_total"] = -2999))),
        ["stripe_completed_with_customer_object"] = Anonymous(BadRequest, d => Signed(Edit(Paid(d), e =>
            e["data"]!["object"] = new JsonObject { ["id"] = "cus_test_hostile", ["object"] = "customer", ["email"] = "eve@example.com" }))),
        ["stripe_refund_negative_amount"] = Anonymous(BadRequest, _ =>
            Signed(WebhookPayloads.StripeChargeRefunded("pi_test_" + Guid.NewGuid().ToString("N"), 2999, -2999))),
        ["stripe_body_oversized"] = Anonymous(HttpStatusCode.RequestEntityTooLarge, d => Signed(Edit(Paid(d), e => e["padding"] = new string('p', 300 * 1024)))),

        // Clerk (Svix) signatures.
        ["svix_headers_missing"] = Anonymous(BadRequest, _ => Without(Clerk(), "svix-id", "svix-timestamp", "svix-signature")),
        ["svix_signature_missing"] = Anonymous(BadRequest, _ => Without(Clerk(), "svix-signature")),
        ["svix_id_missing"] = Anonymous(BadRequest, _ => Without(Clerk(), "svix-id")),
        ["svix_timestamp_not_a_number"] = Anonymous(BadRequest, _ => Replace(Clerk(), "svix-timestamp", "yesterday")),
        ["svix_timestamp_too_old"] = Anonymous(BadRequest, _ => WebhookPayloads.ClerkRequest(ClerkJson(), signedAt: DateTimeOffset.UtcNow.AddHours(-1))),
        ["svix_signature_wrong_secret"] = Anonymous(BadRequest, _ => WebhookPayloads.ClerkRequest(ClerkJson(), secret: "whsec_" + Convert.ToBase64String(new byte[24]))),
        ["svix_signature_tampered_body"] = Anonymous(BadRequest, _ =>
        {
            var request = WebhookPayloads.ClerkRequest(ClerkJson());
            request.Content = Json(ClerkJson().Replace("jane.doe@example.com", "eve@example.com", StringComparison.Ordinal));
            return request;
        }),
        ["svix_signature_malformed"] = Anonymous(BadRequest, _ => Replace(Clerk(), "svix-signature", "v1,not-base64!!")),
        ["clerk_body_oversized"] = Anonymous(HttpStatusCode.RequestEntityTooLarge, _ => WebhookPayloads.ClerkRequest(
            Edit(ClerkJson(), e => e["padding"] = new string('p', 300 * 1024)))),

        // Checkout.
        ["checkout_session_of_another_user"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/stripe/checkout-session/{d.VictimSessionId}")),
        ["checkout_session_unknown"] = Attacker(HttpStatusCode.NotFound, _ => Get("/api/stripe/checkout-session/cs_test_unknown")),
        ["checkout_session_id_huge"] = Attacker(BadRequest, _ => Get("/api/stripe/checkout-session/cs_" + new string('x', 4_000))),
        ["create_checkout_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\"}"))),
        ["create_checkout_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ =>
            Post("/api/stripe/create-checkout-session", new StringContent("{\"packageId\":\"pro\"}", Encoding.UTF8, "text/plain"))),
        ["create_checkout_form_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ =>
            Post("/api/stripe/create-checkout-session", new FormUrlEncodedContent([KeyValuePair.Create("packageId", "pro")]))),
        ["create_checkout_malformed_json"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":"))),
        ["create_checkout_json_array"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("[\"pro\"]"))),
        ["create_checkout_oversized_body"] = Attacker(HttpStatusCode.RequestEntityTooLarge, _ =>
            Post("/api/stripe/create-checkout-session", Json($"{{\"packageId\":\"pro\",\"padding\":\"{new string('p', 100_000)}\"}}"))),
        ["create_checkout_package_id_huge"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json($"{{\"packageId\":\"{Huge}\"}}"))),
        ["create_checkout_unknown_package"] = Attacker(HttpStatusCode.NotFound, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"diamond\"}"))),
        ["create_checkout_quantity_negative"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"quantity\":-1}"))),
        ["create_checkout_quantity_huge"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"quantity\":2147483647}"))),
        ["create_checkout_quantity_overflow"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"quantity\":99999999999999999999}"))),
        ["create_checkout_credits_overflow"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"credits\":1e40}"))),
        ["create_checkout_credits_long_max"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"credits\":9223372036854775807}"))),
        ["create_checkout_quantity_and_credits"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"quantity\":2,\"credits\":400}"))),
        ["create_checkout_free_package_in_volume"] = Attacker(HttpStatusCode.UnprocessableEntity, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"starter\",\"quantity\":3}"))),
        ["quote_quantity_junk"] = Anonymous(BadRequest, _ => Get("/api/credits/packages/pro/quote?quantity=" + Huge)),
        ["quote_credits_negative"] = Anonymous(BadRequest, _ => Get("/api/credits/packages/pro/quote?credits=-5")),
        ["quote_package_id_huge"] = Anonymous(BadRequest, _ => Get("/api/credits/packages/" + new string('p', 65) + "/quote?quantity=2")),

        // Paging.
        ["transactions_page_zero"] = Attacker(BadRequest, _ => Get("/api/credits/transactions?page=0")),
        ["transactions_page_int_max"] = Attacker(BadRequest, _ => Get($"/api/credits/transactions?page={int.MaxValue}")),
        ["transactions_page_size_huge"] = Attacker(BadRequest, _ => Get("/api/credits/transactions?pageSize=1000000")),
        ["usage_page_negative"] = Attacker(BadRequest, _ => Get("/api/credits/usage?page=-1")),
        ["purchases_page_not_a_number"] = Attacker(BadRequest, _ => Get("/api/credits/purchases?page=abc")),
        ["purchases_page_beyond_int"] = Attacker(BadRequest, _ => Get("/api/credits/purchases?page=99999999999999999999")),
        ["admin_transactions_page_int_max"] = Admin(BadRequest, d => Get($"/api/credits/admin/users/{d.Victim}/transactions?page={int.MaxValue}")),

        // Feature names.
        ["check_feature_whitespace"] = Attacker(BadRequest, _ => Get("/api/credits/check?feature=%20%20&model=hailuo")),
        ["check_feature_huge"] = Attacker(BadRequest, _ => Get($"/api/credits/check?feature={Huge}&model=hailuo")),
        ["check_feature_unicode"] = Attacker(BadRequest, _ => Get("/api/credits/check?feature=" + Uri.EscapeDataString("vidéo-🎬\u202Egeneration") + "&model=hailuo")),
        ["check_feature_unknown"] = Attacker(BadRequest, _ => Get("/api/credits/check?feature=teleportation&model=hailuo")),
        ["check_model_missing"] = Attacker(BadRequest, _ => Get("/api/credits/check?feature=video-generation")),

        // Idempotency-Key headers.
        ["idempotency_key_comma_list"] = Attacker(BadRequest, _ => Keyed("one, two")),
        ["idempotency_key_300_characters"] = Attacker(BadRequest, _ => Keyed(new string('k', 300))),
        ["idempotency_key_reserved_prefix"] = Attacker(BadRequest, d => Keyed("mf:purchase:" + d.VictimSessionId)),
        ["idempotency_key_whitespace"] = Attacker(BadRequest, _ => Keyed("key with spaces")),
        ["idempotency_key_twice"] = Attacker(BadRequest, _ =>
        {
            var request = Post(KeyedPath, null);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", ["one", "two"]);
            return request;
        }),

        // Admin endpoints.
        ["admin_endpoint_as_user"] = Attacker(HttpStatusCode.Forbidden, d => Get($"/api/credits/admin/users/{d.Victim}/balance")),
        ["admin_endpoint_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Get($"/api/credits/admin/users/{d.Victim}/balance")),
        ["admin_adjustment_key_300_characters"] = Admin(BadRequest, d => Adjust(d, $"{{\"amount\":5,\"reason\":\"fix\",\"idempotencyKey\":\"{new string('k', 300)}\"}}")),
        ["admin_adjustment_key_reserved_prefix"] = Admin(BadRequest, d => Adjust(d, $"{{\"amount\":5,\"reason\":\"fix\",\"idempotencyKey\":\"mf:refund:{d.VictimSessionId}\"}}")),
        ["admin_adjustment_key_empty"] = Admin(BadRequest, d => Adjust(d, "{\"amount\":5,\"reason\":\"fix\",\"idempotencyKey\":\"\"}")),
        ["admin_adjustment_reason_huge"] = Admin(BadRequest, d => Adjust(d, $"{{\"amount\":5,\"reason\":\"{Huge}\"}}")),
        ["admin_adjustment_wrong_content_type"] = Admin(HttpStatusCode.UnsupportedMediaType, d =>
            Post($"/api/credits/admin/users/{d.Victim}/adjustments", new StringContent("amount=5", Encoding.UTF8, "text/plain"))),
        ["admin_adjustment_amount_not_a_number"] = Admin(BadRequest, d => Adjust(d, "{\"amount\":\"lots\",\"reason\":\"fix\"}")),
        ["admin_user_id_huge"] = Admin(BadRequest, _ => Get($"/api/credits/admin/users/{new string('u', 4_000)}/balance")),

        // Gifts.
        ["gift_list_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Get("/api/credits/gifts")),
        ["gift_create_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Gift("{\"amount\":5}")),
        ["gift_create_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ =>
            Post("/api/credits/gifts", new StringContent("{\"amount\":5}", Encoding.UTF8, "text/plain"))),
        ["gift_create_malformed_json"] = Attacker(BadRequest, _ => Gift("{\"amount\":")),
        ["gift_create_json_array"] = Attacker(BadRequest, _ => Gift("[5]")),
        ["gift_create_oversized_body"] = Attacker(HttpStatusCode.RequestEntityTooLarge, _ => Gift($"{{\"amount\":5,\"message\":\"{new string('m', 100_000)}\"}}")),
        ["gift_create_amount_negative"] = Attacker(BadRequest, _ => Gift("{\"amount\":-20}")),
        ["gift_create_amount_zero"] = Attacker(BadRequest, _ => Gift("{\"amount\":0}")),
        ["gift_create_amount_beyond_long"] = Attacker(BadRequest, _ => Gift("{\"amount\":1e30}")),
        ["gift_create_amount_long_max"] = Attacker(HttpStatusCode.UnprocessableEntity, _ => Gift($"{{\"amount\":{long.MaxValue}}}")),
        ["gift_create_amount_not_a_number"] = Attacker(BadRequest, _ => Gift("{\"amount\":\"lots\"}")),
        ["gift_create_over_the_balance"] = Attacker(HttpStatusCode.PaymentRequired, _ => Gift("{\"amount\":21}")),
        ["gift_create_message_huge"] = Attacker(BadRequest, _ => Gift($"{{\"amount\":5,\"message\":\"{Huge}\"}}")),
        ["gift_create_expiry_in_the_past"] = Attacker(BadRequest, _ => Gift("{\"amount\":5,\"expiresAt\":\"2000-01-01T00:00:00Z\"}")),
        ["gift_create_expiry_not_a_date"] = Attacker(BadRequest, _ => Gift("{\"amount\":5,\"expiresAt\":\"soon\"}")),
        ["gift_create_key_reserved_prefix"] = Attacker(BadRequest, _ =>
        {
            var request = Gift("{\"amount\":5}");
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "mf:gift:1");
            return request;
        }),
        ["gift_redeem_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Redeem("{\"code\":\"ABCDEFGH\"}")),
        ["gift_redeem_code_missing"] = Attacker(BadRequest, _ => Redeem("{}")),
        ["gift_redeem_code_not_a_string"] = Attacker(BadRequest, _ => Redeem("{\"code\":12345}")),
        ["gift_redeem_code_huge"] = Attacker(HttpStatusCode.NotFound, _ => Redeem($"{{\"code\":\"{Huge}\"}}")),
        ["gift_redeem_code_unknown"] = Attacker(HttpStatusCode.NotFound, _ => Redeem("{\"code\":\"ABCD-EFGH-JKMN-PQRS-TVWX-YZ23\"}")),
        ["gift_redeem_code_unicode"] = Attacker(HttpStatusCode.NotFound, _ => Redeem("{\"code\":\"\\u202E🎁\\u0000\"}")),
        ["gift_redeem_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ =>
            Post("/api/credits/gifts/redeem", new FormUrlEncodedContent([KeyValuePair.Create("code", "ABC")]))),
        ["gift_cancel_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Delete($"/api/credits/gifts/{d.VictimGiftId}")),
        ["gift_cancel_of_another_user"] = Attacker(HttpStatusCode.NotFound, d => Delete($"/api/credits/gifts/{d.VictimGiftId}")),
        ["gift_cancel_id_malformed"] = Attacker(HttpStatusCode.NotFound, _ => Delete("/api/credits/gifts/1%27%20OR%201=1")),
        ["gift_cancel_id_huge"] = Attacker(HttpStatusCode.NotFound, _ => Delete($"/api/credits/gifts/{new string('9', 4_000)}")),
        ["gift_reissue_of_another_user"] = Attacker(HttpStatusCode.NotFound, d => Post($"/api/credits/gifts/{d.VictimGiftId}/code", null)),
        ["gift_reissue_id_malformed"] = Attacker(HttpStatusCode.NotFound, _ => Post("/api/credits/gifts/not-a-gift/code", null)),
        ["checkout_gift_free_package"] = Attacker(HttpStatusCode.UnprocessableEntity, _ =>
            Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"starter\",\"gift\":true}"))),
        ["checkout_gift_not_a_boolean"] = Attacker(BadRequest, _ => Post("/api/stripe/create-checkout-session", Json("{\"packageId\":\"pro\",\"gift\":\"yes\"}"))),

        // Referrals.
        ["referrals_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Get("/api/credits/referrals")),
        ["referral_attach_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Post("/api/credits/referrals/attach", Json("{\"code\":\"ABCDEFGH\"}"))),
        ["referral_attach_code_missing"] = Attacker(BadRequest, _ => Post("/api/credits/referrals/attach", Json("{}"))),
        ["referral_attach_code_huge"] = Attacker(BadRequest, _ => Post("/api/credits/referrals/attach", Json($"{{\"code\":\"{Huge}\"}}"))),
        ["referral_attach_code_not_a_string"] = Attacker(BadRequest, _ => Post("/api/credits/referrals/attach", Json("{\"code\":[1,2]}"))),
        ["referral_attach_malformed_json"] = Attacker(BadRequest, _ => Post("/api/credits/referrals/attach", Json("{\"code\""))),
        ["referral_attach_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ =>
            Post("/api/credits/referrals/attach", new StringContent("code=ABC", Encoding.UTF8, "text/plain"))),
    };

    private static HostileRequest Anonymous(HttpStatusCode expected, Func<HostileCatalogueData, HttpRequestMessage> build) => new(null, false, expected, build);

    private static HostileRequest Attacker(HttpStatusCode expected, Func<HostileCatalogueData, HttpRequestMessage> build) => new("attacker", false, expected, build);

    private static HostileRequest Admin(HttpStatusCode expected, Func<HostileCatalogueData, HttpRequestMessage> build) => new("admin", true, expected, build);

    /// <summary>A genuine <c>checkout.session.completed</c> for the victim's open session (paid, right amount).</summary>
    private static string Paid(HostileCatalogueData d) =>
        WebhookPayloads.StripeSessionEvent("checkout.session.completed", d.VictimSessionId, 2999, "usd", "paid", d.VictimMetadata.ToDictionary());

    private static string ClerkJson() => WebhookPayloads.ClerkUserEvent("user.created", "user_hostile_" + Guid.NewGuid().ToString("N"));

    private static HttpRequestMessage Clerk() => WebhookPayloads.ClerkRequest(ClerkJson());

    private static string Edit(string json, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    private static HttpRequestMessage Signed(string json, string secret = CreditsApp.StripeWebhookSecret, DateTimeOffset? signedAt = null) =>
        StripePost(json, EventUtility.GenerateSignatureHeader(json, secret, (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds()));

    private static HttpRequestMessage StripePost(string json, string? signature)
    {
        var request = Post("/api/stripe/webhook", Json(json));
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        }

        return request;
    }

    private static HttpRequestMessage Without(HttpRequestMessage request, params string[] headers)
    {
        foreach (var header in headers)
        {
            request.Headers.Remove(header);
        }

        return request;
    }

    private static HttpRequestMessage Replace(HttpRequestMessage request, string header, string value)
    {
        request.Headers.Remove(header);
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }

    private static HttpRequestMessage Keyed(string key)
    {
        var request = Post(KeyedPath, null);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    private static HttpRequestMessage Adjust(HostileCatalogueData d, string json) => Post($"/api/credits/admin/users/{d.Victim}/adjustments", Json(json));

    private static HttpRequestMessage Gift(string json) => Post("/api/credits/gifts", Json(json));

    private static HttpRequestMessage Redeem(string json) => Post("/api/credits/gifts/redeem", Json(json));

    private static HttpRequestMessage Delete(string path) => new(HttpMethod.Delete, path);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Post(string path, HttpContent? content) => new(HttpMethod.Post, path) { Content = content };
}
