using System.Text;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// Writes ledger rows and usage logs as RFC 4180 CSV straight to the response body while the database streams them:
/// nothing is held in memory beyond the writer's buffer, which is flushed every <see cref="FlushEvery"/> rows.
/// </summary>
internal static class CreditsCsvExport
{
    private const int FlushEvery = 500;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Task WriteTransactionsAsync(Stream body, IAsyncEnumerable<CreditTransaction> rows) =>
        WriteAsync(body, "id,user_id,created_at,type,amount,balance_after,description,reference,idempotency_key,metadata", rows, t =>
        [
            t.Id.ToString(), t.UserId, Time(t.CreatedAt), t.Type.ToString(), Number(t.Amount), Number(t.BalanceAfter),
            t.Description, t.Reference, t.IdempotencyKey, t.Metadata,
        ]);

    /// <summary>Usage logs without the prompts (personal data stays in the database).</summary>
    public static Task WriteUsageAsync(Stream body, IAsyncEnumerable<UsageLog> rows) =>
        WriteAsync(body, "id,user_id,created_at,feature,model,credits_used,price,is_unlimited,transaction_id,idempotency_key,metadata", rows, u =>
        [
            u.Id.ToString(), u.UserId, Time(u.CreatedAt), u.Feature, u.Model, Number(u.CreditsUsed), Number(u.Price),
            u.IsUnlimited ? "true" : "false", u.TransactionId?.ToString(), u.IdempotencyKey, u.Metadata,
        ]);

    private static async Task WriteAsync<T>(Stream body, string header, IAsyncEnumerable<T> rows, Func<T, string?[]> fields)
    {
        var writer = new StreamWriter(body, Utf8, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(header).ConfigureAwait(false);
            var count = 0;
            await foreach (var row in rows.ConfigureAwait(false))
            {
                var values = fields(row);
                for (var i = 0; i < values.Length; i++)
                {
                    if (i > 0)
                    {
                        writer.Write(',');
                    }

                    writer.Write(Escape(values[i]));
                }

                await writer.WriteLineAsync().ConfigureAwait(false);
                if (++count % FlushEvery == 0)
                {
                    await writer.FlushAsync().ConfigureAwait(false);
                }
            }

            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    internal static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // A leading =, +, - or @ would be run as a formula by spreadsheets, and so would one after a leading TAB or CR
        // (spreadsheets trim them): quote it with a leading apostrophe. Plain negative numbers stay numbers.
        var safe = value[0] is '=' or '+' or '@' or '-' or '\t' or '\r' && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? "'" + value
            : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
