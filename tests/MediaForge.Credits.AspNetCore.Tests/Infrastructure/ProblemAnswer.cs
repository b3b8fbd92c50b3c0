using System.Text.Json;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>Reads an RFC 9457 problem answer for assertions.</summary>
public static class ProblemAnswer
{
    /// <summary>The answer's HTTP status, its <c>code</c> extension and its <c>detail</c> (null when absent).</summary>
    public static async Task<(int Status, string? Code, string? Detail)> ReadAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, problem.RootElement.GetProperty("code").GetString(),
            problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
    }
}
