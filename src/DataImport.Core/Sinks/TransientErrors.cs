using System.Data.Common;

namespace DataImport.Sinks;

/// <summary>
/// Errors that say a database is out of reach for now (down, restarting, refusing or dropping connections, a deadlock
/// or a serialization failure): a <see cref="DbException"/> its provider calls transient, anywhere in the chain of inner
/// exceptions. Npgsql and Microsoft.Data.Sqlite both set <see cref="DbException.IsTransient"/>; a constraint violation,
/// a missing table or a syntax error is not transient.
/// </summary>
/// <remarks>
/// Such an error is no row's fault, so a batch that meets one is not split to find a row to blame; a background job stops
/// its attempt instead, keeping its last checkpoint for the next attempt, and a direct run ends failed.
/// </remarks>
internal static class TransientErrors
{
    public static bool IsTransient(Exception? error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
