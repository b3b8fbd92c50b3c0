using System.Text.RegularExpressions;

namespace MediaForge.Credits.Readme;

/// <summary>
/// The fenced code blocks of the repository's README that carry a name: a line <c>&lt;!-- snippet: name --&gt;</c>
/// directly above the opening fence. Tests compile or run them, so the README's code is the tested code.
/// </summary>
internal static partial class ReadmeSnippets
{
    /// <summary>The folder that holds <c>MediaForge.Credits.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The README's named blocks, by name, in the order they appear.</summary>
    public static IReadOnlyDictionary<string, ReadmeSnippet> All { get; } =
        Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "README.md")));

    /// <summary>The named block, or a failure that says which names exist.</summary>
    public static ReadmeSnippet Get(string name) =>
        All.TryGetValue(name, out var snippet) ? snippet
            : throw new KeyNotFoundException($"README.md has no block marked <!-- snippet: {name} -->; it has: {string.Join(", ", All.Keys)}");

    /// <summary>Reads the named blocks out of markdown text.</summary>
    public static IReadOnlyDictionary<string, ReadmeSnippet> Parse(string markdown)
    {
        var snippets = new Dictionary<string, ReadmeSnippet>(StringComparer.Ordinal);
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success) continue;
            var fence = Fence().Match(lines[i + 1]);
            if (!fence.Success) throw new FormatException($"README.md line {i + 1}: a snippet marker must be followed by a ``` fence.");
            var end = Array.FindIndex(lines, i + 2, l => l.TrimEnd() == "```");
            if (end < 0) throw new FormatException($"README.md line {i + 2}: the ``` fence is never closed.");
            var name = marker.Groups["name"].Value;
            var code = string.Join('\n', lines[(i + 2)..end]) + "\n";
            if (!snippets.TryAdd(name, new ReadmeSnippet(name, fence.Groups["lang"].Value, code, i + 3)))
                throw new FormatException($"README.md line {i + 1}: the snippet name '{name}' is used twice.");
            i = end;
        }
        return snippets;
    }

    /// <summary>
    /// The README lines (1-based) of the opening fences in <paramref name="language"/> that have no snippet marker
    /// directly above them, so no test compiles them.
    /// </summary>
    public static IReadOnlyList<int> UnnamedBlocks(string markdown, string language)
    {
        var unnamed = new List<int>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var inBlock = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success) continue;
            if (inBlock) { inBlock = lines[i].TrimEnd() != "```"; continue; }
            inBlock = true;
            if (fence.Groups["lang"].Value == language && (i == 0 || !Marker().IsMatch(lines[i - 1]))) unnamed.Add(i + 1);
        }
        return unnamed;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MediaForge.Credits.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MediaForge.Credits.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^<!--\s*snippet:\s*(?<name>[a-z0-9][a-z0-9-]*)\s*-->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^```(?<lang>[a-z]*)\s*$")]
    private static partial Regex Fence();
}

/// <summary>One named README block: its name, its fence language, its code and the line its code starts on.</summary>
internal sealed record ReadmeSnippet(string Name, string Language, string Code, int FirstLine);
