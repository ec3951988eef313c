using System.ComponentModel.DataAnnotations;

namespace DataImport.Samples.EfCore.Shop;

/// <summary>
/// A product of the shop, identified by its supplier and the supplier's SKU: a composite key, in the database and in
/// the import alike (the columns of <c>samples/data/products.csv</c>).
/// </summary>
public sealed class Product
{
    /// <summary>Gets or sets the supplier's code: the first part of the key.</summary>
    [Required, MaxLength(20)] public string Supplier { get; set; } = "";

    /// <summary>Gets or sets the supplier's stock-keeping unit: the second part of the key.</summary>
    [Required, MaxLength(40)] public string Sku { get; set; } = "";

    /// <summary>Gets or sets the name.</summary>
    [Required, MaxLength(200)] public string Name { get; set; } = "";

    /// <summary>Gets or sets the unit price; not negative.</summary>
    public decimal Price { get; set; }

    /// <summary>Gets or sets the units in stock.</summary>
    public int Stock { get; set; }

    /// <summary>Gets or sets the category: <c>Tools</c>, <c>Garden</c> or <c>Kitchen</c>.</summary>
    [MaxLength(20)] public string? Category { get; set; }
}
