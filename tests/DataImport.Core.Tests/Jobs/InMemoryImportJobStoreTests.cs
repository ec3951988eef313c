namespace DataImport.Tests.Jobs;

public sealed class InMemoryImportJobStoreTests : JobStoreContractTests
{
    protected override ImportJobStore CreateStore() => new DataImport.Jobs.InMemoryImportJobStore();
}
