using System.Text.Json;
using MediaForge.Credits.Categories;
using MediaForge.Credits.Entities;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// The rules of categories that touch no database: which names are categories, how one travels in JSON, which grants
/// need a lot, the category a grant type gets, and what a host's burn order may say.
/// </summary>
public sealed class CategoryRuleTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Trial-2_b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void From_ValidName_IsTheCategoryOfItsLowerCaseName(string name)
    {
        Assert.Equal(name.ToLowerInvariant(), CreditCategory.From(name).Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("1trial")]
    [InlineData("-trial")]
    [InlineData("tri al")]
    [InlineData("trial.b")]
    [InlineData("trïal")]
    public void TryFrom_NotACategoryName_IsFalse(string? name)
    {
        Assert.False(CreditCategory.TryFrom(name, out var category));
        Assert.Equal(default, category);
    }

    [Fact]
    public void From_NotACategoryName_IsRefusedNamingTheRule()
    {
        var refused = Assert.Throws<ArgumentException>(() => CreditCategory.From("1x"));

        Assert.Equal("name", refused.ParamName);
        Assert.Contains("(was '1x')", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Category_SameNameInAnotherCase_IsEqualWithTheSameHash()
    {
        var (upper, lower) = (CreditCategory.From("TRIAL"), CreditCategory.From("trial"));

        Assert.True(upper == lower);
        Assert.False(upper != lower);
        Assert.True(upper.Equals((object)lower));
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.Equal("trial", upper.ToString());
    }

    [Fact]
    public void Category_OtherName_DiffersAndIsNotEqualToAString()
    {
        Assert.True(CreditCategory.Paid != CreditCategory.Allowance);
        Assert.False(CreditCategory.Paid == CreditCategory.Promotional);
        Assert.False(CreditCategory.Paid.Equals((object)"paid"));
    }

    [Fact]
    public void Category_Default_IsPaid()
    {
        Assert.Equal(("paid", CreditCategory.Paid), (default(CreditCategory).Name, default(CreditCategory)));
    }

    [Fact]
    public void Json_Category_TravelsAsItsName()
    {
        Assert.Equal("\"allowance\"", JsonSerializer.Serialize(CreditCategory.Allowance));
        Assert.Equal(CreditCategory.From("trial"), JsonSerializer.Deserialize<CreditCategory>("\"Trial\""));
    }

    [Theory]
    [InlineData("\"1x\"")]
    [InlineData("null")]
    public void Json_NotACategoryName_IsRefused(string json)
    {
        var refused = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CreditCategory>(json));
        Assert.Contains("credit category", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CreditTransactionType.Bonus, "promotional")]
    [InlineData(CreditTransactionType.Adjustment, "promotional")]
    [InlineData(CreditTransactionType.Subscription, "allowance")]
    [InlineData(CreditTransactionType.Purchase, "paid")]
    [InlineData(CreditTransactionType.Refund, "paid")]
    public void DefaultFor_GrantType_IsItsCategory(CreditTransactionType type, string category)
    {
        Assert.Equal(category, CreditBurnOrder.DefaultFor(type).Name);
    }

    [Fact]
    public void NeedsLot_OnlyPaidCreditsThatNeverExpireGoWithoutALot()
    {
        Assert.False(CreditBurnOrder.NeedsLot("paid", CreditGrant.NoExpiry));
        Assert.True(CreditBurnOrder.NeedsLot("paid", new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.True(CreditBurnOrder.NeedsLot("promotional", CreditGrant.NoExpiry));
    }

    [Fact]
    public void Failures_DefaultBurnOrder_HasNone()
    {
        Assert.Empty(CreditBurnOrder.Failures(new CreditsOptions().CategoryPriorities));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(CreditBurnOrder.MaxPriority)]
    public void Failures_PriorityAtTheBounds_IsAccepted(int priority)
    {
        Assert.Empty(CreditBurnOrder.Failures(new Dictionary<string, int> { ["paid"] = priority }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(CreditBurnOrder.MaxPriority + 1)]
    public void Failures_PriorityOutOfBounds_IsNamed(int priority)
    {
        Assert.Equal([$"CategoryPriorities['paid'] must be 0 to 1000 (was {priority})."], CreditBurnOrder.Failures(new Dictionary<string, int> { ["paid"] = priority }));
    }

    [Fact]
    public void Failures_NotACategoryNameAndNoPaid_AreNamed()
    {
        var failures = CreditBurnOrder.Failures(new Dictionary<string, int> { ["1x"] = 5 }).ToList();

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("CategoryPriorities has '1x', which is not a category name", failures[0], StringComparison.Ordinal);
        Assert.Equal("CategoryPriorities needs a priority for 'paid' (the credits without a lot).", failures[1]);
    }

    [Fact]
    public void Failures_MostCategoriesAllowed_AreAccepted_OneMore_IsNamed()
    {
        var most = Enumerable.Range(0, CreditBurnOrder.MaxCategories - 1).ToDictionary(i => $"c{i}", _ => 1);
        most["paid"] = 1;

        Assert.Empty(CreditBurnOrder.Failures(most));
        most["one-more"] = 1;
        Assert.Equal(["CategoryPriorities holds at most 32 categories (had 33)."], CreditBurnOrder.Failures(most));
    }

    [Fact]
    public void PriorityOf_CategoryWithoutPriority_IsRefusedNamingTheOption()
    {
        var order = new CreditBurnOrder(Microsoft.Extensions.Options.Options.Create(new CreditsOptions()));

        var refused = Assert.Throws<ArgumentException>(() => order.PriorityOf(CreditCategory.From("trial")));

        Assert.Equal("category", refused.ParamName);
        Assert.Contains("CreditsOptions.CategoryPriorities", refused.Message, StringComparison.Ordinal);
    }
}
