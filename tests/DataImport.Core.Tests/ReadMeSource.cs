using System.Text.RegularExpressions;

namespace DataImport.Tests;

/// <summary>
/// Reads the repository's README and the test sources for the ReadMe tests of every test project (linked into each), so
/// a README example is checked to be exactly the code a test compiles and runs.
/// </summary>
internal static partial class ReadMeSource
{
    /// <summary>The repository root: the folder above the test binaries that holds README.md and the solution.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "README.md")) && File.Exists(Path.Combine(folder.FullName, "DataImport.Core.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No README.md and DataImport.Core.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Removes the indentation common to every non-blank line.</summary>
    public static string Dedent(string code)
    {
        var lines = code.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    /// <summary>A fenced C# block of a README (group <c>code</c>).</summary>
    [GeneratedRegex("```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    public static partial Regex CSharpBlock();

    /// <summary>A <c>#region ReadMe</c> of a test source (group <c>code</c>).</summary>
    [GeneratedRegex("#region ReadMe\n(?<code>.*?)\n[ ]*#endregion", RegexOptions.Singleline)]
    public static partial Regex ReadMeRegion();
}
