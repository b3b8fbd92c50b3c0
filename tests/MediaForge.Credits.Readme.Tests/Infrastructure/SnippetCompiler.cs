using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MediaForge.Credits.Readme.Tests.Infrastructure;

/// <summary>
/// Compiles a README block with Roslyn inside its <see cref="SnippetHarness"/>, against the assemblies this test
/// project runs with (.NET, ASP.NET Core, the two MediaForge.Credits assemblies, EF Core SQLite and PostgreSQL,
/// JwtBearer, OpenApi, OpenTelemetry). Diagnostics point at README.md lines (a <c>#line</c> directive).
/// </summary>
internal static class SnippetCompiler
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    /// <summary>Compiler messages the .NET SDK also turns off (assembly version unification).</summary>
    private static readonly ImmutableDictionary<string, ReportDiagnostic> Quiet =
        ImmutableDictionary.CreateRange([
            KeyValuePair.Create("CS1701", ReportDiagnostic.Suppress),
            KeyValuePair.Create("CS1702", ReportDiagnostic.Suppress),
        ]);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    private static readonly Lazy<SyntaxTree> Context = new(() => CSharpSyntaxTree.ParseText(
        System.IO.File.ReadAllText(ContextPath), Parse, ContextPath));

    private static string ContextPath =>
        Path.Combine(ReadmeSnippets.RepositoryRoot, "tests", "MediaForge.Credits.Readme.Tests", "Context", "ReadmeContext.cs");

    /// <summary>Compiles the block; the result carries every error and warning.</summary>
    public static SnippetCompilation Compile(ReadmeSnippet snippet, SnippetHarness harness)
    {
        var source = string.Join('\n',
            harness.Before,
            $"#line {snippet.FirstLine} \"README.md\"",
            snippet.Code,
            "#line default",
            harness.After);
        List<SyntaxTree> trees =
        [
            CSharpSyntaxTree.ParseText(SnippetHarness.WebProjectUsings, Parse, "WebProjectUsings.cs"),
            CSharpSyntaxTree.ParseText(source, Parse, $"{snippet.Name}.cs"),
        ];
        if (!harness.IsWholeProgram) trees.Add(Context.Value);
        if (harness.IsFragment) trees.Add(CSharpSyntaxTree.ParseText(SnippetHarness.FragmentUsings, Parse, "FragmentUsings.cs"));

        var hasStatements = trees[1].GetRoot().ChildNodes().Any(n => n.IsKind(SyntaxKind.GlobalStatement));
        var options = new CSharpCompilationOptions(
                hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                specificDiagnosticOptions: Quiet)
            .WithConcurrentBuild(false);
        var compilation = CSharpCompilation.Create("Readme_" + snippet.Name.Replace('-', '_'), trees, References.Value, options);
        return new SnippetCompilation(snippet, compilation);
    }

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        string[] notForSnippets = ["Microsoft.CodeAnalysis", "xunit", "testhost", "Microsoft.TestPlatform", "Microsoft.VisualStudio",
            Assembly.GetExecutingAssembly().GetName().Name!];
        return paths
            .Where(p => !notForSnippets.Any(n => Path.GetFileName(p).StartsWith(n, StringComparison.OrdinalIgnoreCase)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    }
}

/// <summary>A compiled README block.</summary>
internal sealed class SnippetCompilation(ReadmeSnippet snippet, CSharpCompilation compilation)
{
    /// <summary>The errors and warnings, each as <c>README.md(line,col): error CS…: message</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = compilation.GetDiagnostics()
        .Where(d => d.Severity >= DiagnosticSeverity.Warning)
        .Select(d => Describe(d))
        .ToList();

    /// <summary>Fails with the compiler's messages, pointing at README lines, unless the block compiled cleanly.</summary>
    public void AssertClean() =>
        Assert.True(Problems.Count == 0,
            $"README block '{snippet.Name}' (README.md line {snippet.FirstLine}) does not compile cleanly:\n" + string.Join('\n', Problems));

    /// <summary>Emits the program and loads it.</summary>
    public Assembly Load()
    {
        AssertClean();
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics.Select(Describe)));
        return Assembly.Load(image.ToArray());
    }

    private static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        var where = span.IsValid ? $"{Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})" : "";
        return $"{where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
