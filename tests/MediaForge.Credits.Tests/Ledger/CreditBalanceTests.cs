namespace MediaForge.Credits.Tests.Ledger;

/// <summary>A balance is a value: two balances with the same split in different dictionaries are equal.</summary>
public sealed class CreditBalanceTests
{
    private static CreditBalance With(Dictionary<string, long> categories) =>
        new() { UserId = "user_a", Balance = 30, Available = 30, IsUnlimited = false, Categories = categories };

    [Fact]
    public void Equals_SameSplitInAnotherDictionary_IsEqual()
    {
        var one = With(new() { ["paid"] = 10, ["promotional"] = 20 });
        var other = With(new() { ["promotional"] = 20, ["paid"] = 10 });

        Assert.Equal(one, other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
    }

    [Fact]
    public void Equals_OtherSplitOfTheSameBalance_IsNotEqual() =>
        Assert.NotEqual(With(new() { ["paid"] = 10, ["promotional"] = 20 }), With(new() { ["paid"] = 20, ["promotional"] = 10 }));

    [Fact]
    public void Equals_ACategoryMissing_IsNotEqual() =>
        Assert.NotEqual(With(new() { ["paid"] = 30, ["promotional"] = 0 }), With(new() { ["paid"] = 30 }));
}
