using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MediaForge.Credits.Readme;

namespace MediaForge.Credits.Package.Tests.Infrastructure;

/// <summary>
/// Both src projects packed, Release, into a folder feed, with the repository's <c>VersionPrefix</c> and a prerelease
/// label unique to this run (<c>1.1.0-test.20261201030405</c>): the machine's global packages folder can then never
/// hand a restore a stale build of the same version. The build goes to a private artifacts folder, so the
/// repository's own bin/obj are untouched.
/// </summary>
internal sealed partial class PackageFeed
{
    /// <summary>The package ids, core first.</summary>
    public static readonly string[] PackageIds = ["MediaForge.Credits", "MediaForge.Credits.AspNetCore"];

    private PackageFeed(string directory, string version, string commit)
    {
        Directory = directory;
        Version = version;
        Commit = commit;
    }

    /// <summary>The folder that holds the .nupkg files.</summary>
    public string Directory { get; }

    /// <summary>The version both packages carry.</summary>
    public string Version { get; }

    /// <summary>The repository's commit (<c>git rev-parse HEAD</c>) when the packages were packed.</summary>
    public string Commit { get; }

    /// <summary>Packs both projects under <paramref name="workRoot"/>.</summary>
    public static async Task<PackageFeed> PackAsync(string workRoot, TimeProvider time)
    {
        var root = ReadmeSnippets.RepositoryRoot;
        var props = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
        var prefix = VersionPrefix().Match(props) is { Success: true } m ? m.Groups["v"].Value
            : throw new InvalidOperationException("Directory.Build.props has no <VersionPrefix>.");
        var version = $"{prefix}-test.{time.GetUtcNow().ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";

        // A solution filter packs both projects in one build.
        var filter = Path.Combine(workRoot, "packages.slnf");
        File.WriteAllText(filter, JsonSerializer.Serialize(new
        {
            solution = new
            {
                path = Path.Combine(root, "MediaForge.Credits.sln"),
                projects = PackageIds.Select(id => $"src/{id}/{id}.csproj").ToArray(),
            },
        }));
        var feed = Path.Combine(workRoot, "feed");
        var commit = GitHead();
        await DotnetCli.RunAsync(workRoot,
            ["pack", filter, "-c", "Release", $"-p:Version={version}", "-o", feed, "--artifacts-path", Path.Combine(workRoot, "artifacts")]);
        return new PackageFeed(feed, version, commit);
    }

    private static string GitHead()
    {
        using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD")
        {
            WorkingDirectory = ReadmeSnippets.RepositoryRoot,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var head = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0 && head.Length == 40, "`git rev-parse HEAD` failed in " + ReadmeSnippets.RepositoryRoot);
        return head;
    }

    /// <summary>The path of one package in the feed.</summary>
    public string PathOf(string id) => Path.Combine(Directory, $"{id}.{Version}.nupkg");

    /// <summary>The names of the files inside one package.</summary>
    public IReadOnlyList<string> EntriesOf(string id)
    {
        using var zip = ZipFile.OpenRead(PathOf(id));
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The bytes of one file inside one package.</summary>
    public byte[] Read(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(PathOf(id));
        var file = zip.GetEntry(entry) ?? throw new FileNotFoundException($"{id} has no {entry}", entry);
        using var stream = file.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The package's nuspec <c>metadata</c> element.</summary>
    public XElement NuspecOf(string id)
    {
        using var stream = new MemoryStream(Read(id, id + ".nuspec"));
        var metadata = XDocument.Load(stream).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
        return metadata ?? throw new InvalidDataException($"{id}.nuspec has no metadata element.");
    }

    [GeneratedRegex(@"<VersionPrefix>(?<v>[0-9][0-9.]*)</VersionPrefix>")]
    private static partial Regex VersionPrefix();
}
