using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using MediaForge.Credits.Package.Tests.Infrastructure;
using MediaForge.Credits.Readme;

namespace MediaForge.Credits.Package.Tests;

/// <summary>What a NuGet user gets inside each .nupkg, read by unzipping the packages this run packed.</summary>
[Collection(PackageConsumerCollection.Name)]
public sealed class PackageContentsTests(PackageConsumer consumer)
{
    private const string Repository = "https://github.com/mediaforge/MediaForge.Credits";

    public static TheoryData<string> PackageIds() => new(PackageFeed.PackageIds);

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_EachPackage_HasDescriptionTagsLicenseProjectUrlReadmeAndIcon(string id)
    {
        var metadata = consumer.Feed.NuspecOf(id);

        Assert.Equal(consumer.Feed.Version, Value(metadata, "version"));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.Contains("credits", Value(metadata, "tags")!.Split(' '));
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal(Repository, Value(metadata, "projectUrl"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Equal("icon.png", Value(metadata, "icon"));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_EachPackage_ShipsItsReadmeLinkingTheRepositoryAndAPngIcon(string id)
    {
        var readme = System.Text.Encoding.UTF8.GetString(consumer.Feed.Read(id, "README.md"));
        var icon = consumer.Feed.Read(id, "icon.png");

        Assert.StartsWith("# " + id, readme, StringComparison.Ordinal);
        Assert.Contains(Repository, readme, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], icon[..4]);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_EachPackage_RecordsTheRepositoryAndTheCommitItWasBuiltFrom(string id)
    {
        var repository = consumer.Feed.NuspecOf(id).Elements().Single(e => e.Name.LocalName == "repository");

        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(Repository, (string?)repository.Attribute("url"));
        Assert.Equal(consumer.Feed.Commit, (string?)repository.Attribute("commit"));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_EachAssembly_HasXmlDocsAndAnEmbeddedPdb(string id)
    {
        var entries = consumer.Feed.EntriesOf(id);
        using var pe = new PEReader(new MemoryStream(consumer.Feed.Read(id, $"lib/net10.0/{id}.dll")));

        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains(pe.ReadDebugDirectory(), d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    [Fact]
    public void Nuspec_AddOn_DependsOnTheCoreOfTheSameVersion()
    {
        var dependencies = Dependencies("MediaForge.Credits.AspNetCore");

        Assert.Contains(("MediaForge.Credits", consumer.Feed.Version), dependencies);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_EachPackage_DependsOnNoTestOnlyPackage(string id)
    {
        var srcPackages = PackageReferences("src");
        var testOnly = PackageReferences("tests").Concat(PackageReferences("samples")).Except(srcPackages).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.DoesNotContain(Dependencies(id), d => testOnly.Contains(d.Id));
    }

    private List<(string Id, string Version)> Dependencies(string id) =>
        consumer.Feed.NuspecOf(id).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!)).ToList();

    private static string? Value(XElement metadata, string name) =>
        metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static IEnumerable<string> PackageReferences(string folder) =>
        Directory.EnumerateFiles(Path.Combine(ReadmeSnippets.RepositoryRoot, folder), "*.csproj", SearchOption.AllDirectories)
            .SelectMany(p => XDocument.Load(p).Descendants("PackageReference"))
            .Select(e => (string?)e.Attribute("Include")).OfType<string>().Distinct();
}
