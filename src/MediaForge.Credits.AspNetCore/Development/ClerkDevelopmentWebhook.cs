using System.Security.Cryptography;
using System.Text;
using MediaForge.Credits.AspNetCore.Clerk;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Sends Clerk's <c>user.created</c>, Svix-signed with the configured secret, to the host's Clerk webhook at the app's own address.</summary>
internal sealed class ClerkDevelopmentWebhook(
    DevelopmentWebhookSender sender,
    IOptions<CreditsClerkOptions> clerk,
    IOptions<CreditsDevelopmentOptions> options,
    TimeProvider time) : IClerkDevelopmentWebhook
{
    public async Task<WebhookReceipt> SendUserCreatedAsync(string userId, string? email, string? displayName, bool isAdmin,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var secret = clerk.Value.WebhookSecret
            ?? throw new InvalidOperationException("No Clerk webhook secret is configured (CLERK_WEBHOOK_SECRET).");
        var now = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["object"] = "event",
            ["type"] = "user.created",
            ["timestamp"] = now.ToUnixTimeMilliseconds(),
            ["data"] = new Dictionary<string, object?>
            {
                ["id"] = userId,
                ["object"] = "user",
                ["first_name"] = displayName,
                ["last_name"] = null,
                ["username"] = null,
                ["primary_email_address_id"] = email is null ? null : "idn_dev_primary",
                ["email_addresses"] = email is null
                    ? Array.Empty<object>()
                    : new object[] { new Dictionary<string, object?> { ["id"] = "idn_dev_primary", ["object"] = "email_address", ["email_address"] = email } },
                ["public_metadata"] = isAdmin ? new Dictionary<string, object?> { ["role"] = clerk.Value.AdminRole } : new Dictionary<string, object?>(),
                ["created_at"] = now.ToUnixTimeMilliseconds(),
            },
        });

        // One message id per user: a later sign-in re-sends the same delivery, which the webhook treats as a duplicate.
        var messageId = "msg_dev_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("user.created:" + userId)))[..32];
        var timestamp = now.ToUnixTimeSeconds();
        var result = await sender.PostAsync(options.Value.ClerkWebhookPath, body,
        [
            new(SvixSignatureVerifier.IdHeader, messageId),
            new(SvixSignatureVerifier.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture)),
            new(SvixSignatureVerifier.SignatureHeader, SvixSignatureVerifier.Sign(secret, messageId, timestamp, body)),
        ], cancellationToken).ConfigureAwait(false);
        return result.Receipt ?? throw new InvalidOperationException(
            $"The Clerk webhook at {options.Value.ClerkWebhookPath} answered HTTP {result.Status}; its log says why.");
    }
}
