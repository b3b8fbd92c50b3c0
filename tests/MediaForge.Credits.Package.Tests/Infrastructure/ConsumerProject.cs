using System.Text.RegularExpressions;
using System.Xml.Linq;
using MediaForge.Credits.Readme;

namespace MediaForge.Credits.Package.Tests.Infrastructure;

/// <summary>
/// A fresh <c>dotnet new web</c> project outside the repository (so none of its props, central versions or
/// nuget.config apply), set up exactly as the README tells a new user: its Install lines, its complete host as
/// <c>Program.cs</c>, and <c>dotnet user-jwts create</c> for sign-in.
/// </summary>
internal sealed partial class ConsumerProject
{
    private const string Name = "ConsumerHost";

    private ConsumerProject(string directory) => Directory = directory;

    /// <summary>The project folder.</summary>
    public string Directory { get; }

    /// <summary>The built host.</summary>
    public string AssemblyPath => Path.Combine(Directory, "bin", "Debug", "net10.0", Name + ".dll");

    /// <summary>The project's user-secrets id, once <c>dotnet user-jwts</c> has set one.</summary>
    public string? UserSecretsId =>
        XDocument.Load(Path.Combine(Directory, Name + ".csproj")).Descendants("UserSecretsId").FirstOrDefault()?.Value;

    /// <summary>Creates the project and a nuget.config whose sources are <paramref name="feed"/> plus the machine's own.</summary>
    public static async Task<ConsumerProject> CreateAsync(string directory, PackageFeed feed)
    {
        System.IO.Directory.CreateDirectory(directory);
        await DotnetCli.RunAsync(directory, ["new", "web", "-n", Name, "-o", "."]);

        // The machine's sources as the CLI sees them here (no nuget.config in this folder yet), never a hard-coded URL.
        var listed = await DotnetCli.RunAsync(directory, ["nuget", "list", "source", "--format", "Short"]);
        var upstream = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => EnabledSource().Match(l)).Where(m => m.Success).Select(m => m.Groups["source"].Value).ToList();
        Assert.True(upstream.Count > 0, "`dotnet nuget list source` lists no enabled package source:\n" + listed);

        var sources = new XElement("packageSources", new XElement("clear"), new XElement("add",
            new XAttribute("key", "local-build"), new XAttribute("value", feed.Directory)));
        for (var i = 0; i < upstream.Count; i++)
            sources.Add(new XElement("add", new XAttribute("key", $"upstream-{i + 1}"), new XAttribute("value", upstream[i])));
        new XDocument(new XElement("configuration", sources)).Save(Path.Combine(directory, "nuget.config"));
        return new ConsumerProject(directory);
    }

    /// <summary>
    /// Runs every <c>dotnet add package</c> line of the README's <c>install</c> block. The MediaForge.Credits lines
    /// must ask for a prerelease or a version (the packages are previews); here they get this build's version instead.
    /// </summary>
    public async Task InstallFromReadmeAsync(string version)
    {
        var lines = ReadmeSnippets.Get("install").Code.Split('\n')
            .Select(l => l.Split('#')[0].Trim()).Where(l => l.StartsWith("dotnet add package ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count > 0, "The README's install block has no `dotnet add package` line.");
        foreach (var line in lines)
        {
            var args = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            if (args[2].StartsWith("MediaForge.Credits", StringComparison.Ordinal))
            {
                Assert.True(args.Contains("--prerelease") || args.Contains("--version"),
                    $"README install line `{line}` names no --prerelease or --version, so it cannot install a preview.");
                var at = args.IndexOf("--version");
                if (at >= 0) args.RemoveRange(at, 2);
                args.Remove("--prerelease");
                args.AddRange(["--version", version]);
            }

            await DotnetCli.RunAsync(Directory, args);
        }
    }

    /// <summary>Writes the README's complete host as Program.cs.</summary>
    public void WriteReadmeHost()
    {
        var host = ReadmeSnippets.Get("complete-host");
        Assert.Equal("csharp", host.Language);
        File.WriteAllText(Path.Combine(Directory, "Program.cs"), host.Code);
    }

    /// <summary>Runs <c>dotnet user-jwts create --name <paramref name="user"/></c>, as the README says, and returns the token it prints.</summary>
    public async Task<string> CreateUserJwtAsync(string user)
    {
        var output = await DotnetCli.RunAsync(Directory, ["user-jwts", "create", "--name", user]);
        return PrintedToken().Match(output) is { Success: true } m ? m.Groups["token"].Value
            : throw new InvalidOperationException("`dotnet user-jwts create` printed no token:\n" + output);
    }

    /// <summary>Builds the host.</summary>
    public Task BuildAsync() => DotnetCli.RunAsync(Directory, ["build"]);

    [GeneratedRegex(@"^E\s+(?<source>\S.*)$")]
    private static partial Regex EnabledSource();

    [GeneratedRegex(@"^Token:\s*(?<token>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PrintedToken();
}
