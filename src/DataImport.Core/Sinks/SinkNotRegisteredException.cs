namespace DataImport.Sinks;

/// <summary>No sink is registered for an entity: a configuration error whose message tells the host what to register.</summary>
/// <remarks>Its own type so the job layer shows this message and logs other errors of a sink's factory instead.</remarks>
internal sealed class SinkNotRegisteredException(string message) : InvalidOperationException(message);
