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

    /// <summary>The answer's HTTP status and its <c>code</c> extension.</summary>
    public static async Task<(int Status, string? Code)> ReadCodeAsync(HttpResponseMessage response)
    {
        var (status, code, _) = await ReadAsync(response);
        return (status, code);
    }

    /// <summary>The answer's <c>title</c> and <c>detail</c> (null when absent); read from the buffered text, so the answer may be read again.</summary>
    public static async Task<(string? Title, string? Detail)> ReadTextsAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (problem.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null,
            problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
    }
}
