namespace MediaForge.Credits.AspNetCore;

/// <summary>
/// Sends Svix-signed Clerk events to the host's own Clerk webhook endpoint, as Clerk would, so that a development
/// sign-in goes through the same path as production (user row, sign-up credits exactly once). Registered by
/// <c>AddCreditsDevelopmentGateway()</c>; signs with the configured <c>CLERK_WEBHOOK_SECRET</c>, or with a secret
/// generated for the process when none is set.
/// </summary>
public interface IClerkDevelopmentWebhook
{
    /// <summary>
    /// Sends <c>user.created</c> for a user. The Svix message id is derived from the user id, so sending it again on a
    /// later sign-in is a duplicate delivery and changes nothing. It is sent to the app's own address (its listening
    /// address, else <see cref="CreditsHttpOptions.PublicBaseUrl"/>), never to one taken from a request's <c>Host</c>.
    /// </summary>
    /// <param name="userId">The user id (the <c>sub</c> claim of the signed-in user).</param>
    /// <param name="email">The user's e-mail address, if any.</param>
    /// <param name="displayName">The user's name, if any.</param>
    /// <param name="isAdmin">Whether to send <c>public_metadata.role = admin</c> (unlimited credits).</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>The webhook's receipt (<see cref="WebhookReceipt.Duplicate"/> on later sign-ins).</returns>
    /// <exception cref="InvalidOperationException">The webhook endpoint refused the delivery.</exception>
    Task<WebhookReceipt> SendUserCreatedAsync(string userId, string? email, string? displayName, bool isAdmin,
        CancellationToken cancellationToken = default);
}
