using MediaForge.Credits.Readme.Tests.Infrastructure;

namespace MediaForge.Credits.Readme.Tests;

/// <summary>Every C# block of README.md is named, has a harness and compiles cleanly (no error, no warning).</summary>
public sealed class ReadmeBlockTests
{
    public static TheoryData<string> CSharpBlocks() =>
        new(ReadmeSnippets.All.Values.Where(s => s.Language == "csharp").Select(s => s.Name));

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Compile_ReadmeCSharpBlock_HasNoErrorOrWarning(string name)
    {
        Assert.True(SnippetHarness.ForReadme.TryGetValue(name, out var harness),
            $"README block '{name}' has no harness: add one to SnippetHarness.ForReadme (how it sits in a Program.cs).");

        SnippetCompiler.Compile(ReadmeSnippets.Get(name), harness).AssertClean();
    }

    [Fact]
    public void Readme_EveryCSharpBlock_HasASnippetMarker()
    {
        var unnamed = ReadmeSnippets.UnnamedBlocks(File.ReadAllText(Path.Combine(ReadmeSnippets.RepositoryRoot, "README.md")), "csharp");

        Assert.True(unnamed.Count == 0,
            "README.md lines " + string.Join(", ", unnamed) + ": a ```csharp block without <!-- snippet: name --> directly above it is never compiled.");
    }

    [Fact]
    public void Harnesses_EveryOne_NamesAReadmeCSharpBlock()
    {
        var stale = SnippetHarness.ForReadme.Keys.Where(n => !ReadmeSnippets.All.TryGetValue(n, out var s) || s.Language != "csharp");

        Assert.Empty(stale);
    }

    [Fact]
    public void UnnamedBlocks_CSharpBlockWithoutMarker_ReturnsItsFenceLine()
    {
        const string markdown = "<!-- snippet: named -->\n```csharp\nvar a = 1;\n```\n\ntext\n```csharp\nvar b = 2;\n```\n```bash\nls\n```\n";

        Assert.Equal([7], ReadmeSnippets.UnnamedBlocks(markdown, "csharp"));
    }

    [Fact]
    public void Compile_BlockThatDoesNotCompile_ReportsItsReadmeLine()
    {
        var broken = new ReadmeSnippet("broken", "csharp", "var x = 1;\nint y = \"two\";\n", FirstLine: 40);

        var problems = SnippetCompiler.Compile(broken, SnippetHarness.Program()).Problems;

        Assert.Contains(problems, p => p.StartsWith("README.md(41,", StringComparison.Ordinal) && p.Contains("CS0029", StringComparison.Ordinal));
    }
}
