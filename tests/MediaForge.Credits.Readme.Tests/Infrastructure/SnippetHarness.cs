namespace MediaForge.Credits.Readme.Tests.Infrastructure;

/// <summary>
/// What a README block is compiled inside. Every block is compiled with the usings a <c>dotnet new web</c> project
/// has and with <c>Context/ReadmeContext.cs</c> (the reader's own app code the blocks name); a fragment also gets the
/// usings the README tells the reader to add and the code around it that the README leaves out.
/// </summary>
/// <param name="Name">What the block is, for failure messages.</param>
/// <param name="Before">Code placed before the block.</param>
/// <param name="After">Code placed after the block.</param>
/// <param name="IsFragment">Whether the block gets the README's Quick start usings.</param>
/// <param name="IsWholeProgram">Whether the block is a whole <c>Program.cs</c> of its own, app types included (compiled without the context).</param>
internal sealed record SnippetHarness(string Name, string Before, string After, bool IsFragment, bool IsWholeProgram = false)
{
    /// <summary>The usings of a <c>dotnet new web</c> project (Microsoft.NET.Sdk.Web's implicit usings).</summary>
    public const string WebProjectUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;

    /// <summary>The usings the README's Quick start names for its fragments.</summary>
    public const string FragmentUsings = """
        global using MediaForge.Credits;
        global using MediaForge.Credits.AspNetCore;
        global using MediaForge.Credits.Storage;
        global using Microsoft.EntityFrameworkCore;
        global using System.Security.Cryptography;
        global using System.Text;
        """;

    /// <summary>A whole file, compiled as it stands.</summary>
    public static SnippetHarness File { get; } = new("a whole file", "", "", IsFragment: false);

    /// <summary>A whole <c>Program.cs</c> that declares its own app types: compiled alone, as a fresh project would.</summary>
    public static SnippetHarness WholeProgram { get; } = new("a whole Program.cs", "", "", IsFragment: false, IsWholeProgram: true);

    /// <summary>
    /// Lines of <c>Program.cs</c> after <c>var builder = WebApplication.CreateBuilder(args);</c> and the host's own
    /// sign-in (here the test's <c>ReadmeSignIn</c>), followed by <paramref name="after"/> (say, running the app).
    /// </summary>
    public static SnippetHarness Program(string after = "") => new("lines of Program.cs", """
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAuthentication(ReadmeSignIn.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ReadmeSignIn>(ReadmeSignIn.SchemeName, null);
        """, after, IsFragment: true);

    /// <summary>Lines of <c>Program.cs</c> after the app is built (<c>var app = builder.Build();</c>).</summary>
    public static SnippetHarness BuiltApp { get; } = Program() with
    {
        Name = "lines of Program.cs after builder.Build()",
        Before = Program().Before + "\nvar app = builder.Build();",
    };

    /// <summary>
    /// The body of a minimal-API handler that has the signed-in <c>userId</c>, a server-made <c>jobId</c>, the
    /// request's <c>prompt</c>, the library's services and the request's <c>ct</c>.
    /// </summary>
    public static SnippetHarness Handler { get; } = new("the body of an endpoint handler", """
        public partial class Program
        {
            public static async Task<IResult> Handle(ICreditService credits, ICreditReservationService reservations,
                VideoJobs jobs, string userId, string jobId, string prompt, CancellationToken ct)
            {
        """, """
            }
        }
        """, IsFragment: true);

    /// <summary>The body of a minimal-API handler with the gift service, the signed-in <c>userId</c>, a <c>code</c> from the request and <c>ct</c>.</summary>
    public static SnippetHarness GiftHandler { get; } = new("the body of a gift endpoint handler", """
        public partial class Program
        {
            public static async Task<IResult> HandleGift(ICreditGiftService gifts, string userId, string? code, CancellationToken ct)
            {
        """, """
            }
        }
        """, IsFragment: true);

    /// <summary>How each named C# block of the README is compiled. A new block needs a line here.</summary>
    public static IReadOnlyDictionary<string, SnippetHarness> ForReadme { get; } = new Dictionary<string, SnippetHarness>(StringComparer.Ordinal)
    {
        ["quick-start"] = Program(),
        ["hold-pattern"] = BuiltApp,
        ["charge-first"] = Handler,
        ["own-dbcontext"] = Program(),
        ["schema-upgrade"] = File,
        ["complete-host"] = WholeProgram,
        ["events"] = WholeProgram,
        ["auto-top-up"] = WholeProgram,
        ["development-gateway"] = Program(),
        ["long-job"] = Handler,
        ["transfer"] = Handler,
        ["categories"] = Handler,
        ["burn-order"] = Program(),
        ["gifts"] = GiftHandler,
        ["teams"] = BuiltApp,
        ["team-spending"] = BuiltApp,
        ["team-history"] = BuiltApp,
        ["referrals"] = Program(),
        ["operating"] = Program(),
    };
}
