using System.Diagnostics.CodeAnalysis;

namespace MediaForge.Credits.AspNetCore;

/// <summary>
/// Reads a client's <c>Idempotency-Key</c> header safely: bounded, visible ASCII only, one value, and never one of the
/// library's reserved <c>mf:</c> keys. Use the key to find the client's earlier request, and derive the job's own id
/// from it on the server (for example a hash with the user id); never pass it on as-is.
/// </summary>
public static class CreditsIdempotencyKeyHeader
{
    /// <summary>The header's name.</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The longest key accepted.</summary>
    public const int MaxLength = 100;

    /// <summary>Reads the header of <paramref name="request"/>.</summary>
    /// <param name="request">The current request.</param>
    /// <param name="key">The key, or <see langword="null"/> when the header is absent.</param>
    /// <param name="problem">When the header is present but unusable: a 400 problem <c>invalid_idempotency_key</c> to return.</param>
    /// <returns>Whether the header is absent or valid.</returns>
    public static bool TryRead(HttpRequest request, out string? key, [NotNullWhen(false)] out IResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        key = null;
        problem = null;
        if (!request.Headers.TryGetValue(HeaderName, out var values))
        {
            return true;
        }

        // Stryker disable once Conditional,String : equivalent: the next check refuses any count but one, and a null or empty value (or the mutant's text, which has spaces) is refused too
        var value = values.Count == 1 ? values[0] ?? "" : "";
        if (values.Count != 1 || value.Length is 0 or > MaxLength || !value.All(c => c is > ' ' and <= '~')
            || value.StartsWith("mf:", StringComparison.OrdinalIgnoreCase))
        {
            problem = CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_idempotency_key", "The Idempotency-Key header is invalid.",
                $"Send one {HeaderName} of 1 to {MaxLength} visible ASCII characters (no spaces), not starting with 'mf:'.");
            return false;
        }

        key = value;
        return true;
    }
}
