namespace DataImport;

/// <summary>Implemented by readers that know the spreadsheet row number of their current row.</summary>
public interface IImportRowNumber
{
    /// <summary>Gets the row number of the current row as a spreadsheet shows it (the header, if any, is row 1).</summary>
    int RowNumber { get; }
}
