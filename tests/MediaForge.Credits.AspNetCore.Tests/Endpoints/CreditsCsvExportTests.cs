using MediaForge.Credits.AspNetCore.Endpoints;


namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>Cells of the CSV exports that a spreadsheet would run as a formula are quoted with a leading apostrophe.</summary>
public sealed class CreditsCsvExportTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    public void Escape_CellStartingWithFormulaTrigger_StartsWithApostrophe(string value)
    {
        var cell = CreditsCsvExport.Escape(value).TrimStart('"');

        Assert.StartsWith("'", cell, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-25", "-25")]
    [InlineData("text", "text")]
    [InlineData("a,b", "\"a,b\"")]
    public void Escape_OrdinaryCell_IsUnchangedOrQuoted(string value, string expected)
    {
        Assert.Equal(expected, CreditsCsvExport.Escape(value));
    }
}
