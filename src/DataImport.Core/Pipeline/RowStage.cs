using DataImport.Conversion;
using DataImport.Reading;
using DataImport.Validation;

namespace DataImport.Pipeline;

/// <summary>
/// Converts and validates one row: the conversion stage reads its values, the validation stage checks them, the
/// record is built and checked by the custom validators, and its key is made for matching.
/// </summary>
/// <remarks>
/// Everything a row needs is in the row itself or in this object's scratch, and nothing here depends on other rows:
/// <see cref="ParallelRowBatcher"/> gives each converting thread a stage of its own and hands it independent chunks of
/// rows, while matching and writing (<see cref="BatchWriter{TRecord}"/>) stay in file order.
/// </remarks>
internal sealed class RowStage(RowConverter converter, RowValidator validator)
{
    public RowConverter Converter => converter;

    public void Process(RowSource source, PendingRow row)
    {
        converter.Convert(source);
        if (!validator.ValidateFields(converter, row))
        {
            return;
        }

        var record = converter.CreateRecord();
        if (!validator.ValidateRecord(record, row))
        {
            return;
        }

        row.Record = record;
        row.Key = converter.CreateKey();
    }
}
