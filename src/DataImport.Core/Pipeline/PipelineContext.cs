using DataImport.Reading;
using Microsoft.Extensions.Logging;

namespace DataImport.Pipeline;

/// <summary>What the engine hands every run: its options, clock, log, the reading stage's opener and the pool of batches.</summary>
internal sealed record PipelineContext(DataImportOptions Options, TimeProvider Time, ILogger Logger, ImportSourceOpener Sources, BatchPool Batches);
