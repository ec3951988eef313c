namespace DataImport.Samples.EfCore;

/// <summary>The sample's settings, bound from the <c>Shop</c> configuration section.</summary>
public sealed class ShopSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Shop";

    /// <summary>Gets or sets the folder of the database (<c>shop.db</c>: the shop's tables and the jobs) and of the uploaded files; relative to the content root.</summary>
    /// <value>The default is <c>data</c>.</value>
    public string DataPath { get; set; } = "data";

    /// <summary>Gets or sets the one domain (tenant) the shop imports into: the <c>domain</c> header every request sends.</summary>
    /// <value>The default is <c>shop</c>.</value>
    public string Domain { get; set; } = "shop";

    /// <summary>Gets or sets the bearer token that may import into <see cref="Domain"/>.</summary>
    /// <value>The default is <see langword="null"/>: the app refuses to start; <c>appsettings.Development.json</c> sets <c>dev-token</c>.</value>
    public string? ApiToken { get; set; }

    /// <summary>Gets or sets the secret that signs not-imported download links (at least 32 characters).</summary>
    /// <value>The default is <see langword="null"/>: a random key per process, so links die with the process.</value>
    public string? DownloadLinkKey { get; set; }
}
