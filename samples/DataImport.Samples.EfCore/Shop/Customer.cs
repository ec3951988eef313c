using System.ComponentModel.DataAnnotations;

namespace DataImport.Samples.EfCore.Shop;

/// <summary>
/// A customer of the shop: a plain class, mapped by <see cref="ShopContext"/> and imported by e-mail address (the columns
/// of <c>samples/data/customers.csv</c>).
/// </summary>
public sealed class Customer
{
    /// <summary>Gets or sets the database's own key; never imported.</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the name.</summary>
    [Required, MaxLength(100)] public string Name { get; set; } = "";

    /// <summary>Gets or sets the e-mail address: the import key, unique in the table.</summary>
    [Required, MaxLength(254)] public string Email { get; set; } = "";

    /// <summary>Gets or sets the balance; not negative.</summary>
    public decimal? Balance { get; set; }

    /// <summary>Gets or sets the date of birth.</summary>
    public DateOnly? Born { get; set; }

    /// <summary>Gets or sets when the customer joined.</summary>
    public DateTimeOffset? Joined { get; set; }

    /// <summary>Gets or sets a value indicating whether the customer is active.</summary>
    public bool? Active { get; set; }

    /// <summary>Gets or sets the loyalty tier: <c>Gold</c> or <c>Silver</c>.</summary>
    [MaxLength(20)] public string? Tier { get; set; }
}
