namespace MediaForge.Credits;

/// <summary>
/// The bounds every credit operation enforces, so that no amount, balance or page can overflow or exhaust the
/// database. A value outside them is a programming error: an <see cref="ArgumentException"/> (or subclass) that names
/// it, and over HTTP a 400 problem. Nothing is written.
/// </summary>
public static class CreditLimits
{
    /// <summary>The most credits one operation (a grant, an adjustment, a hold, a price) may move: 10<sup>12</sup>.</summary>
    public const long MaxAmount = 1_000_000_000_000;

    /// <summary>
    /// The most credits one balance may hold: 10<sup>15</sup>. A grant that would take a balance over it is refused
    /// (<see cref="ArgumentOutOfRangeException"/>); sums over thousands of balances stay far from <see cref="long.MaxValue"/>.
    /// </summary>
    public const long MaxBalance = 1_000_000_000_000_000;

    /// <summary>The highest page number a history query takes.</summary>
    public const int MaxPage = 100_000;

    /// <summary>The most entries one history page holds.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The longest user id, in characters.</summary>
    public const int MaxUserIdLength = 128;

    /// <summary>The longest feature or model name, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The longest idempotency key, in characters.</summary>
    public const int MaxIdempotencyKeyLength = 200;
}
